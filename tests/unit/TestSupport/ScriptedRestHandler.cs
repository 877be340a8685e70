using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Cloudwall.Rx.Ingestion.Backfill;

namespace Cloudwall.Rx.Tests.Unit.TestSupport;

/// <summary>
/// A stub transport for a back-fill client's <see cref="BackfillHttp"/>: answers each GET with the next scripted (status,
/// body), else with what a responder computes from the request, and records every path and query asked for (with its
/// leading slash), so a test asserts both what the client asked and what it made of the answers, without a network.
/// </summary>
internal sealed class ScriptedRestHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<(HttpStatusCode Status, string Body)> _script = new();
    private readonly ConcurrentQueue<string> _requests = new();

    public ScriptedRestHandler()
    {
    }

    /// <param name="answer">Computes the answer from the request's path and query when nothing is scripted.</param>
    public ScriptedRestHandler(Func<string, (HttpStatusCode Status, string Body)> answer) => Respond = uri => answer(uri.PathAndQuery);

    /// <summary>Every path and query requested, in order (<c>/api/v3/aggTrades?...</c>).</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Computes an answer from the request's address when nothing is scripted.</summary>
    public Func<Uri, (HttpStatusCode Status, string Body)>? Respond { get; set; }

    /// <summary>Always the same body with 200.</summary>
    public static ScriptedRestHandler Always(string body) => new(_ => (HttpStatusCode.OK, body));

    /// <summary>Scripts the next answer.</summary>
    public ScriptedRestHandler Then(string body, HttpStatusCode status = HttpStatusCode.OK)
    {
        _script.Enqueue((status, body));
        return this;
    }

    /// <summary>The same as <see cref="Then"/>.</summary>
    public ScriptedRestHandler Answer(string body, HttpStatusCode status = HttpStatusCode.OK) => Then(body, status);

    /// <summary>A client on this handler at <c>https://venue.test/</c> with a generous budget and fast retries.</summary>
    public BackfillHttp Client() => new(new Uri("https://venue.test/"), new RestBudget(10_000, TimeSpan.FromMinutes(1)),
        new BackfillHttpOptions { RetryDelay = TimeSpan.FromMilliseconds(1), MaxRetries = 1 }, inner: this);

    /// <summary>A client on this handler with the default resilience settings and a budget no test reaches.</summary>
    public BackfillHttp Http() => new(new Uri("http://venue.test/"), new RestBudget(1_000, TimeSpan.FromSeconds(1)), inner: this);

    /// <summary>The query parameters of the <paramref name="index"/>th request.</summary>
    public Dictionary<string, string> QueryOf(int index) =>
        new Uri("https://venue.test" + Requests[index]).Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]), StringComparer.Ordinal);

    /// <summary>The query parameter's value in a recorded request, or null.</summary>
    public static string? Query(string pathAndQuery, string name)
    {
        var q = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        if (q < 0)
        {
            return null;
        }

        foreach (var pair in pathAndQuery[(q + 1)..].Split('&'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && pair[..eq] == name)
            {
                return Uri.UnescapeDataString(pair[(eq + 1)..]);
            }
        }

        return null;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        _requests.Enqueue(uri.PathAndQuery);
        var (status, body) = _script.TryDequeue(out var next) ? next
            : Respond?.Invoke(uri) ?? throw new InvalidOperationException($"no answer scripted for request {_requests.Count}: {uri}");
        return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }
}
