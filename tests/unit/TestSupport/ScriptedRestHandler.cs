using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Cloudwall.Rx.Ingestion.Backfill;

namespace Cloudwall.Rx.Tests.Unit.TestSupport;

/// <summary>
/// A stub transport for <see cref="BackfillHttp"/>: answers each GET with the next scripted (status, body) or with what
/// <see cref="Respond"/> computes from the request, and records every path and query asked for.
/// </summary>
internal sealed class ScriptedRestHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<(HttpStatusCode Status, string Body)> _script = new();

    public List<string> Requests { get; } = [];

    /// <summary>Computes an answer from the request's path and query when nothing is scripted.</summary>
    public Func<Uri, (HttpStatusCode Status, string Body)>? Respond { get; set; }

    public ScriptedRestHandler Then(string body, HttpStatusCode status = HttpStatusCode.OK)
    {
        _script.Enqueue((status, body));
        return this;
    }

    /// <summary>A client on this handler at <c>https://venue.test/</c> with a generous budget and fast retries.</summary>
    public BackfillHttp Client() => new(new Uri("https://venue.test/"), new RestBudget(10_000, TimeSpan.FromMinutes(1)),
        new BackfillHttpOptions { RetryDelay = TimeSpan.FromMilliseconds(1), MaxRetries = 1 }, inner: this);

    /// <summary>The query parameters of the <paramref name="index"/>th request.</summary>
    public Dictionary<string, string> QueryOf(int index) =>
        new Uri("https://venue.test/" + Requests[index]).Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]), StringComparer.Ordinal);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        lock (Requests)
        {
            Requests.Add(uri.PathAndQuery.TrimStart('/'));
        }

        var (status, body) = _script.TryDequeue(out var next) ? next
            : Respond?.Invoke(uri) ?? throw new InvalidOperationException("no scripted answer for " + uri);
        return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }
}
