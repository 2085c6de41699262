using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace TradingActors.Api.Http;

/// <summary>
/// Reads a route's JSON body strictly: a size limit (413), JSON only (415), unknown fields and wrong
/// types refused with the field named (400 problem+json). The body is read here rather than by
/// minimal-API binding, whose failures carry no field-level detail.
/// </summary>
public sealed class RequestBodies(IOptions<TraderApiOptions> options)
{
    public static readonly JsonSerializerOptions Json = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions json)
    {
        json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        json.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        json.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        return json;
    }

    public sealed record Read<T>(T? Body, IResult? Problem) where T : class;

    /// <param name="maxBytes">a route's own limit (backtests with inline bars); the API's MaxBodyBytes otherwise</param>
    public async Task<Read<T>> ReadAsync<T>(HttpRequest request, bool optional = false, int? maxBytes = null) where T : class
    {
        var max = maxBytes ?? options.Value.MaxBodyBytes;
        if (request.ContentLength > max) return TooLarge<T>(max);
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > max) return TooLarge<T>(max);
        }
        if (buffer.Length == 0)
            return optional ? new Read<T>(null, null) : Invalid<T>("$", "A JSON body is required.");
        if (!request.HasJsonContentType())
            return new Read<T>(null, Problems.Status(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported media type", "The body must be application/json."));
        try
        {
            var body = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), Json);
            return body is null ? Invalid<T>("$", "The body must be a JSON object.") : new Read<T>(body, null);
        }
        catch (JsonException e)
        {
            // Own messages: the serializer's name .NET types, and no message may echo a value (a password).
            var field = FieldOf(e.Path);
            var message = e.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? "Unknown field."
                : field == "$" ? "The body is not valid JSON." : "The value has the wrong type or is not valid JSON.";
            if (message == "Unknown field." && UnknownMember(e.Message) is { } unknown) field = unknown;
            return Invalid<T>(field, message);
        }
    }

    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    // "The JSON property 'x' could not be mapped to any .NET member contained in type '...'."
    private static string? UnknownMember(string message)
    {
        var start = message.IndexOf('\'');
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? message[(start + 1)..end] : null;
    }

    private static Read<T> Invalid<T>(string field, string message) where T : class =>
        new(null, Problems.Validation(new Dictionary<string, string[]> { [field] = [message] }));

    private static Read<T> TooLarge<T>(int max) where T : class =>
        new(null, Problems.Status(StatusCodes.Status413PayloadTooLarge, "body-too-large", "Body too large", $"The body must be at most {max} bytes."));
}

/// <summary>RFC 7807 problem details of the API: a type URI per kind of problem.</summary>
public static class Problems
{
    public const string TypeBase = "https://tradingactors.dev/problems/";

    public static IResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is not valid", type: TypeBase + "validation");

    public static IResult Status(int status, string type, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypeBase + type);
}
