using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace TradingActors.Api.Http;

/// <summary>
/// The OpenAPI document "v1" at /openapi/v1.json (anonymous) and, in Development only, the interactive
/// reference page at /api-reference (Scalar, its script served from its own assembly: no CDN).
/// Schemas follow the API's JSON options (<see cref="RequestBodies.Configure"/>): camelCase, enums as strings,
/// unknown fields refused. Routes describe themselves with <see cref="OpenApiMetadata"/>.
/// </summary>
public static class TraderOpenApi
{
    public const string DocumentName = "v1";
    public const string DocumentRoute = "/openapi/{documentName}.json";
    public const string ReferenceRoute = "/api-reference";
    public const string BearerScheme = "Bearer";

    public static IServiceCollection AddTraderOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, o =>
        {
            o.AddDocumentTransformer<BearerSecurity>();
            o.AddOperationTransformer<BearerSecurity>();
            o.AddSchemaTransformer<WireSchemas>();
        });

    public static IEndpointRouteBuilder MapTraderOpenApi(this IEndpointRouteBuilder routes, IHostEnvironment environment)
    {
        routes.MapOpenApi(DocumentRoute).AllowAnonymous();
        if (environment.IsDevelopment())
            routes.MapScalarApiReference(ReferenceRoute, o => o
                    .WithTitle("TradingActors API reference")
                    .WithOpenApiRoutePattern(DocumentRoute)
                    .AddDocument(DocumentName)
                    .AddPreferredSecuritySchemes(BearerScheme) // paste an accessToken once, every request sends it
                    // Nothing from outside: no CDN fonts, no telemetry, no hosted AI agent or MCP.
                    .DisableDefaultFonts()
                    .DisableTelemetry()
                    .DisableAgent()
                    .DisableMcp())
                .AllowAnonymous();
        return routes;
    }

    /// <summary>
    /// The HTTP bearer (JWT) scheme, required by every operation whose endpoint is not AllowAnonymous (the
    /// fallback policy signs in the rest), with the problems the middleware answers for it: 401, 403 when
    /// the route names a policy (roles), 429 when it is rate limited.
    /// </summary>
    private sealed class BearerSecurity : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
    {
        public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
        {
            document.Info.Title = "TradingActors trader API";
            document.Info.Description =
                "Sign in with POST /api/v1/auth/login and send its accessToken as `Authorization: Bearer <token>`. " +
                "Errors are RFC 7807 problem details (application/problem+json); bodies are JSON, unknown fields are refused.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "The accessToken of POST /api/v1/auth/login or /api/v1/auth/refresh.",
            };
            return Task.CompletedTask;
        }

        public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<EnableRateLimitingAttribute>().Any())
                await AddProblem(operation, context, StatusCodes.Status429TooManyRequests, ct);
            if (metadata.OfType<IAllowAnonymous>().Any()) return;

            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
            await AddProblem(operation, context, StatusCodes.Status401Unauthorized, ct);
            if (metadata.OfType<IAuthorizeData>().Any(a => !string.IsNullOrEmpty(a.Policy) || !string.IsNullOrEmpty(a.Roles))
                || metadata.OfType<AuthorizationPolicy>().Any())
                await AddProblem(operation, context, StatusCodes.Status403Forbidden, ct);
        }

        private static async Task AddProblem(OpenApiOperation operation, OpenApiOperationTransformerContext context, int status, CancellationToken ct)
        {
            operation.Responses ??= new OpenApiResponses();
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (operation.Responses.ContainsKey(key)) return;
            // The same component the routes' own ProducesProblems responses refer to.
            var document = context.Document!;
            document.Components ??= new OpenApiComponents();
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            if (!document.Components.Schemas.ContainsKey(nameof(ProblemDetails)))
                document.Components.Schemas[nameof(ProblemDetails)] = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, ct);
            operation.Responses[key] = new OpenApiResponse
            {
                Description = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [OpenApiMetadata.ProblemJson] = new() { Schema = new OpenApiSchemaReference(nameof(ProblemDetails), document) },
                },
            };
        }
    }

    /// <summary>
    /// Schemas as the JSON is on the wire: an enum is a string (JsonStringEnumConverter, camelCase); a number
    /// is a number (the web defaults also read "42", which no client is asked to send); a property that may be
    /// null is not required (responses leave nulls out, requests may too); problem details have extension
    /// members (traceId), whatever the API's unknown-field rule says of bodies.
    /// </summary>
    private sealed class WireSchemas : IOpenApiSchemaTransformer
    {
        public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
        {
            var type = context.JsonTypeInfo.Type;
            if ((Nullable.GetUnderlyingType(type) ?? type).IsEnum && schema.Enum is { Count: > 0 })
                schema.Type = (schema.Type ?? 0) | JsonSchemaType.String;
            if (schema.Type is { } t && t.HasFlag(JsonSchemaType.String) && (t & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0)
            {
                schema.Type = t & ~JsonSchemaType.String;
                schema.Pattern = null;
            }
            if (schema.Required is { Count: > 0 } required)
                foreach (var property in context.JsonTypeInfo.Properties)
                    if (property.IsGetNullable || Nullable.GetUnderlyingType(property.PropertyType) is not null)
                        required.Remove(property.Name);
            if (typeof(ProblemDetails).IsAssignableFrom(type))
            {
                schema.AdditionalPropertiesAllowed = true;
                schema.AdditionalProperties = null;
            }
            return Task.CompletedTask;
        }
    }
}
