# The cloudwall-rx image: built with the .NET SDK, run on the ASP.NET Core runtime (src/Hosting uses the shared framework
# Microsoft.AspNetCore.App), as a numeric non-root user, with no SDK in the final image. docs/deploy.md builds and pushes it.
#
# Base images are pinned to a full .NET version: SDK 10.0.101 (global.json asks for 10.0.100 or a later feature band) and
# the ASP.NET Core 10.0.1 runtime it ships, both Ubuntu 24.04 "noble" (.NET 10 images have no Debian variant). Pin them
# by digest as well in your registry mirror: `docker buildx imagetools inspect <image>` prints it.
#
# Native code: Confluent.Kafka's librdkafka.redist package ships librdkafka for linux-x64 built against glibc, so the
# runtime must be a glibc distribution (noble, not Alpine/musl); publishing for linux-x64 copies it into /app.
FROM mcr.microsoft.com/dotnet/sdk:10.0.101-noble AS build
WORKDIR /source
# Restore first, from the project files alone, so a source change does not repeat it.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Core/Core.csproj src/Core/
COPY src/Ingestion/Ingestion.csproj src/Ingestion/
COPY src/Pricing/Pricing.csproj src/Pricing/
COPY src/Kafka/Kafka.csproj src/Kafka/
COPY src/Quality/Quality.csproj src/Quality/
COPY src/Simulation/Simulation.csproj src/Simulation/
COPY src/Control/Control.csproj src/Control/
COPY src/Hosting/Hosting.csproj src/Hosting/
RUN dotnet restore src/Hosting/Hosting.csproj -r linux-x64
COPY src/ src/
RUN dotnet publish src/Hosting/Hosting.csproj -c Release -r linux-x64 --self-contained false --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0.1-noble AS final
WORKDIR /app
COPY --from=build /app ./
# The same numeric user and group as the pods' securityContext (k8s/base/pod-defaults.yaml); no passwd entry is needed.
USER 10001:10001
ENV Admin__BindAddress=0.0.0.0 \
    Admin__Port=8080 \
    ConsoleView__Enabled=false \
    DOTNET_NOLOGO=1
EXPOSE 8080
ENTRYPOINT ["/app/cloudwall-rx"]
CMD ["run"]
