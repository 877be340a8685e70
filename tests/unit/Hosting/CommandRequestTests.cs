using System.Text;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Hosting.Admin;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cloudwall.Rx.Tests.Unit.Hosting;

/// <summary>POST /commands never holds more than the envelope's limit, and takes JSON only.</summary>
public sealed class CommandRequestTests
{
    [Fact]
    public async Task A_json_body_within_the_limit_is_read_and_the_server_limit_is_lowered_first()
    {
        var (context, limit) = Request("application/json; charset=utf-8", """{"id":"x"}""", declareLength: true);
        var (body, status) = await CommandRequest.ReadAsync(context.Request, CancellationToken.None);
        Assert.Equal((StatusCodes.Status200OK, """{"id":"x"}"""), (status, body));
        Assert.Equal(CommandEnvelope.MaxBytes, limit.MaxRequestBodySize);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Anything_but_json_is_415_unread(string? contentType)
    {
        var (context, _) = Request(contentType, "{}", declareLength: true);
        var (body, status) = await CommandRequest.ReadAsync(context.Request, CancellationToken.None);
        Assert.Equal((StatusCodes.Status415UnsupportedMediaType, (string?)null), (status, body));
        Assert.Equal(0, context.Request.Body.Position);
    }

    [Fact]
    public async Task A_declared_length_over_the_limit_is_413_before_reading()
    {
        var (context, _) = Request("application/json", new string('x', CommandEnvelope.MaxBytes + 1), declareLength: true);
        var (_, status) = await CommandRequest.ReadAsync(context.Request, CancellationToken.None);
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, status);
        Assert.Equal(0, context.Request.Body.Position);
    }

    [Fact]
    public async Task An_undeclared_length_stops_reading_one_byte_past_the_limit()
    {
        var (context, _) = Request("application/json", new string('x', 4 * CommandEnvelope.MaxBytes), declareLength: false);
        var (_, status) = await CommandRequest.ReadAsync(context.Request, CancellationToken.None);
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, status);
        Assert.True(context.Request.Body.Position <= CommandEnvelope.MaxBytes + 1, $"read {context.Request.Body.Position} bytes");
    }

    [Fact]
    public async Task A_body_of_exactly_the_limit_is_accepted()
    {
        var (context, _) = Request("application/json", new string('x', CommandEnvelope.MaxBytes), declareLength: false);
        var (body, status) = await CommandRequest.ReadAsync(context.Request, CancellationToken.None);
        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.Equal(CommandEnvelope.MaxBytes, body!.Length);
    }

    private static (DefaultHttpContext Context, SizeLimit Limit) Request(string? contentType, string body, bool declareLength)
    {
        var context = new DefaultHttpContext();
        var limit = new SizeLimit();
        context.Features.Set<IHttpMaxRequestBodySizeFeature>(limit);
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = declareLength ? bytes.Length : null;
        return (context, limit);
    }

    private sealed class SizeLimit : IHttpMaxRequestBodySizeFeature
    {
        public bool IsReadOnly => false;

        public long? MaxRequestBodySize { get; set; } = 30_000_000;
    }
}
