using System.Net;
using System.Text;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Hosting.Cli;
using Cloudwall.Rx.Hosting.Platform;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudwall.Rx.Tests.Integration.Hosting;

/// <summary>The limits of <c>POST /commands</c> on a running platform: 415, 413 before reading, 429 per remote address.</summary>
[Collection(EndToEnd.Name)]
public sealed class CommandEndpointLimitTests
{
    [Fact]
    public async Task Wrong_type_oversize_and_too_many_requests_are_refused_and_unsigned_ones_only_counted()
    {
        var app = RunCommand.Build(
            [new("Admin:Port", "0"), new("ConsoleView:Enabled", "false"), new("Simulation:TradesPerSecond", "5"),
             new("Admin:CommandsPermitLimit", "5"), new("Admin:CommandsWindow", "00:10:00")], TextWriter.Null);
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            var bus = app.Services.GetRequiredService<ControlPlaneService>().Bus!;

            using (var plain = await http.PostAsync("/commands", new StringContent("{}", Encoding.UTF8, "text/plain")))
            {
                Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
            }

            var huge = new string(' ', CommandEnvelope.MaxBytes + 1024);
            using (var declared = await http.PostAsync("/commands", new StringContent(huge, Encoding.UTF8, "application/json")))
            {
                Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
            }

            // No Content-Length (chunked): the read stops at the limit. The server answers 413 and closes the connection with
            // the rest of the upload unread, so the client may see the close before the answer; either way nothing is submitted.
            var chunked = new StreamContent(new NonSeekable(Encoding.UTF8.GetBytes(huge)));
            chunked.Headers.ContentType = new("application/json");
            using var fresh = new HttpClient { BaseAddress = new Uri(address) }; // not a connection the 413 above closed
            try
            {
                using var streamed = await fresh.PostAsync("/commands", chunked);
                Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
            }
            catch (HttpRequestException ex) when (ex.InnerException is HttpIOException or IOException)
            {
                // The connection closed at the limit.
            }

            using (var unsigned = await http.PostAsync("/commands", new StringContent("""{"id":"c1"}""", Encoding.UTF8, "application/json")))
            {
                Assert.Equal(HttpStatusCode.BadRequest, unsigned.StatusCode); // not an envelope: refused, counted, not audited
            }

            Assert.Empty(await bus.Store.ReadAuditAsync(10, CancellationToken.None));
            Assert.Contains("cloudwall_control_rejected_total{reason=\"invalid-envelope\"} 1", await http.GetStringAsync("/metrics"));

            // Five permits per window from this address: the sixth request, or the seventh when the chunked upload failed on
            // the client before the server saw it, is refused.
            var reachedBus = 1;
            HttpResponseMessage? limited = null;
            for (var i = 0; i < 3; i++)
            {
                var response = await http.PostAsync("/commands", new StringContent("{}", Encoding.UTF8, "application/json"));
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    limited = response;
                    break;
                }

                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                reachedBus++;
                response.Dispose();
            }

            Assert.NotNull(limited);
            using (limited)
            {
                var retryAfter = limited.Headers.RetryAfter?.Delta;
                Assert.True(retryAfter is { } d && d > TimeSpan.Zero && d <= TimeSpan.FromMinutes(10), $"Retry-After {retryAfter}");
            }

            Assert.Equal(reachedBus, bus.Counters.Submitted); // the refused requests never reached the bus

            // Each refusal is counted by status: one 415, one or two 413 (the chunked upload may fail on the client first).
            var metrics = await http.GetStringAsync("/metrics");
            Assert.Contains("cloudwall_admin_commands_refused_total{status=\"415\"} 1", metrics);
            Assert.Contains("cloudwall_admin_commands_refused_total{status=\"429\"} 1", metrics);
            Assert.Matches("cloudwall_admin_commands_refused_total\\{status=\"413\"\\} [12]\n", metrics);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>A body whose length the client cannot know in advance, so it is sent chunked.</summary>
    private sealed class NonSeekable(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
