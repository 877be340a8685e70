using System.Net;
using System.Text;
using Cloudwall.Rx.Ingestion.Backfill;

namespace Cloudwall.Rx.Tests.Unit.TestSupport;

/// <summary>
/// An HTTP transport for back-fill clients under test: answers each request with the next scripted response and keeps the
/// requested paths and queries, so a test asserts both what the client asked and what it made of the answers.
/// </summary>
public sealed class ScriptedRestHandler : HttpMessageHandler
{
    private readonly Queue<(HttpStatusCode Status, string Body)> _answers = new();

    /// <summary>The path and query of every request, in order.</summary>
    public List<string> Requests { get; } = [];

    /// <summary>A back-fill HTTP side on this transport, with a budget no test reaches.</summary>
    public BackfillHttp Http() => new(new Uri("http://venue.test/"), new RestBudget(1_000, TimeSpan.FromSeconds(1)), inner: this);

    public ScriptedRestHandler Answer(string body, HttpStatusCode status = HttpStatusCode.OK)
    {
        _answers.Enqueue((status, body));
        return this;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add(request.RequestUri!.PathAndQuery);
        if (!_answers.TryDequeue(out var a))
        {
            throw new InvalidOperationException($"no answer scripted for request {Requests.Count}: {request.RequestUri}");
        }

        return Task.FromResult(new HttpResponseMessage(a.Status) { Content = new StringContent(a.Body, Encoding.UTF8, "application/json") });
    }
}
