using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace TradingActors.Api.Http;

/// <summary>
/// What a route puts in the OpenAPI document (/openapi/v1.json). Handlers read their bodies through
/// <see cref="RequestBodies"/> and return <see cref="IResult"/>, so minimal-API metadata sees neither the
/// request body nor the responses: every route says them here, in one chained line, e.g.
/// <code>
/// group.MapPost("/orders", Place).RequireAuthorization(TraderPolicies.User)
///     .WithSummary("Place an order").AcceptsJson&lt;PlaceOrderRequest&gt;().Returns&lt;OrderResponse&gt;(201).ProducesProblems(404, 409);
/// </code>
/// Added from the endpoint's own metadata, so not to be repeated: the bearer security requirement and 401
/// (every route that is not AllowAnonymous), 403 (a route naming a policy), 429 (a rate-limited route);
/// <see cref="AcceptsJson{TBody}"/> adds 400 (validation), 413 and 415, which <see cref="RequestBodies"/> answers.
/// The OpenAPI tests fail for a route without a summary, a documented success response, or (POST, PUT, PATCH) a body.
/// </summary>
public static class OpenApiMetadata
{
    public const string Json = "application/json";
    public const string ProblemJson = "application/problem+json";

    /// <summary>
    /// The JSON body the handler reads with <see cref="RequestBodies.ReadAsync{T}"/> (optional: the handler
    /// reads it with optional: true), and the problems reading it can answer: 400 (validation), 413, 415.
    /// </summary>
    public static RouteHandlerBuilder AcceptsJson<TBody>(this RouteHandlerBuilder builder, bool optional = false) where TBody : notnull =>
        builder.WithMetadata(new JsonBody(typeof(TBody), optional))
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);

    /// <summary>A success response with a JSON body of <typeparamref name="TResponse"/> (200 unless said).</summary>
    public static RouteHandlerBuilder Returns<TResponse>(this RouteHandlerBuilder builder, int status = StatusCodes.Status200OK) =>
        builder.Produces<TResponse>(status, Json);

    /// <summary>A response without a body, e.g. <c>.Returns(204)</c>.</summary>
    public static RouteHandlerBuilder Returns(this RouteHandlerBuilder builder, int status) =>
        builder.Produces(status);

    /// <summary>
    /// Problem responses (application/problem+json, <see cref="Problems"/>) the handler itself can answer:
    /// 400 is a ValidationProblem (HttpValidationProblemDetails: errors by field), any other status a ProblemDetails.
    /// </summary>
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            if (status == StatusCodes.Status400BadRequest) builder.ProducesValidationProblem(status, ProblemJson);
            else builder.ProducesProblem(status, ProblemJson);
        }
        return builder;
    }

    /// <summary>
    /// A body for the document only. It names no content type: the framework's Accepts(…, "application/json")
    /// would also make routing match on Content-Type, and answer a wrong one itself (415 before RequestBodies,
    /// 401 under the fallback policy). The document shows a body without content types as application/json.
    /// </summary>
    private sealed record JsonBody(Type RequestType, bool IsOptional) : IAcceptsMetadata
    {
        public IReadOnlyList<string> ContentTypes => [];
    }
}
