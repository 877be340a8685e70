using System.Buffers;
using System.Text;
using Cloudwall.Rx.Control.Commands;
using Microsoft.AspNetCore.Http.Features;

namespace Cloudwall.Rx.Hosting.Admin;

/// <summary>
/// Reads the body of <c>POST /commands</c> without ever holding more than <see cref="CommandEnvelope.MaxBytes"/>: the JSON
/// content type is required (415), a declared length over the limit is refused before reading (413), the server's own
/// limit for this request is lowered to the same size, and the read stops one byte past it (413) whatever the server does.
/// </summary>
public static class CommandRequest
{
    /// <summary>The body as text, or null with the status to answer.</summary>
    public static async Task<(string? Body, int Status)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
        {
            return (null, StatusCodes.Status415UnsupportedMediaType);
        }

        const int max = CommandEnvelope.MaxBytes;
        if (request.ContentLength > max)
        {
            return (null, StatusCodes.Status413PayloadTooLarge);
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(max + 1);
        try
        {
            var length = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length, max + 1 - length), ct)) > 0)
            {
                length += read;
                if (length > max)
                {
                    return (null, StatusCodes.Status413PayloadTooLarge);
                }
            }

            return (Encoding.UTF8.GetString(buffer, 0, length), StatusCodes.Status200OK);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, StatusCodes.Status413PayloadTooLarge); // the server's limit struck first (a chunked body)
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
