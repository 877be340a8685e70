using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Cloudwall.Rx.Tests.Unit.TestSupport;

/// <summary>
/// A transport for a back-fill client's <c>BackfillHttp</c> that answers each GET from a script (the request's path and query
/// in, a status and body out) and records what was asked, so a test sees the client's paging without a network.
/// </summary>
internal sealed class ScriptedRestHandler(Func<string, (HttpStatusCode Status, string Body)> answer) : HttpMessageHandler
{
    private readonly ConcurrentQueue<string> _requests = new();

    /// <summary>Every path and query requested, in order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Always the same body with 200.</summary>
    public static ScriptedRestHandler Always(string body) => new(_ => (HttpStatusCode.OK, body));

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
        var pathAndQuery = request.RequestUri!.PathAndQuery;
        _requests.Enqueue(pathAndQuery);
        var (status, body) = answer(pathAndQuery);
        return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }
}
