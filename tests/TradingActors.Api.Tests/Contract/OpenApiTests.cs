using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TradingActors.Api.Http;
using TradingActors.Api.Tests.Infrastructure;

namespace TradingActors.Api.Tests.Contract;

/// <summary>
/// /openapi/v1.json describes every route of the running node: a route mapped without its annotations
/// (Http/OpenApiMetadata: WithSummary, AcceptsJson, Returns, ProducesProblems) fails here.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class OpenApiTests(ApiFixture api)
{
    /// <summary>Endpoints that are not the API: the document itself, the reference page (Development) and its script, the development mailbox.</summary>
    private static readonly string[] NotTheApi = ["/openapi/", "/api-reference", "/mailbox", "/metrics", "/billing"];

    /// <summary>POST/PUT/PATCH routes whose handlers read no body ("METHOD /path"). None yet: one added goes here, with the reason.</summary>
    private static readonly HashSet<string> Bodyless = ["POST /api/v1/broker-accounts/{id}/verify", "POST /api/v1/admin/credential-keys/rewrap",
        "POST /api/v1/admin/strategies/{id}/pause", "POST /api/v1/admin/strategies/{id}/resume", "POST /api/v1/admin/strategies/{id}/retire", "POST /api/v1/admin/plans/{id}/retire", "POST /api/v1/billing/portal",
        "POST /api/v1/bots/{id}/start", "POST /api/v1/bots/{id}/pause"];

    /// <summary>Routes that read their body with RequestBodies.ReadAsync(optional: true).</summary>
    private static readonly HashSet<string> OptionalBodies = ["POST /api/v1/auth/logout", "POST /api/v1/auth/2fa/setup", "POST /api/v1/bots/{id}/stop"];

    private static readonly string[] WriteMethods = ["POST", "PUT", "PATCH"];

    /// <summary>Documents a route may answer instead of JSON (a backtest's CSV and SVG: decision 029), each with its schema.</summary>
    private static readonly string[] DocumentTypes = ["text/csv", "image/svg+xml"];

    private sealed record Route(string Method, string Path, Endpoint Endpoint)
    {
        public string Key => $"{Method} {Path}";
        public bool Anonymous => Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
    }

    [Fact]
    public async Task The_document_is_served_anonymously_as_OpenAPI_JSON_with_the_bearer_scheme()
    {
        using var client = api.Factory.CreateClient();
        var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.StartsWith("3.", (string?)document["openapi"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)document["info"]?["title"]));
        var bearer = document["components"]?["securitySchemes"]?[TraderOpenApi.BearerScheme];
        Assert.NotNull(bearer);
        Assert.Equal("http", (string?)bearer["type"]);
        Assert.Equal("bearer", (string?)bearer["scheme"]);
        Assert.Equal("JWT", (string?)bearer["bearerFormat"]);
    }

    [Fact]
    public async Task Every_route_of_the_node_is_in_the_document_with_its_method_a_summary_a_tag_and_a_success_response()
    {
        var document = await Document();
        var routes = Routes();
        var defaultTag = api.Factory.Services.GetRequiredService<IHostEnvironment>().ApplicationName; // a route without .WithTags gets this one
        Assert.True(routes.Count >= 17, $"only {routes.Count} routes found: the enumeration is broken");

        foreach (var route in routes)
        {
            var operation = Operation(document, route);
            Assert.True(operation is not null, $"{route.Key} is not in /openapi/v1.json");
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["summary"]), $"{route.Key}: no summary (.WithSummary)");
            Assert.True(operation["tags"] is JsonArray { Count: > 0 } tags && tags.All(t => (string?)t != defaultTag), $"{route.Key}: no tag (.WithTags)");
            var successes = Responses(operation).Where(r => r.Status is >= 200 and < 300).ToList();
            Assert.True(successes.Count > 0, $"{route.Key}: no success response (.Returns)");
            foreach (var (status, response) in successes.Where(r => r.Status != 204))
                Assert.True(response["content"]?["application/json"]?["schema"] is not null || response["content"]?["text/event-stream"] is not null
                        || DocumentTypes.Any(type => response["content"]?[type]?["schema"] is not null),
                    $"{route.Key}: the {status} response has no JSON schema (.Returns<TResponse>({status}), or .Returns(204) for no body, or a text/event-stream, or a document type: {string.Join(", ", DocumentTypes)})");
        }

        // And nothing else: every operation of the document is a route of the node.
        var documented = ((JsonObject)document["paths"]!).SelectMany(p => ((JsonObject)p.Value!).Select(o => $"{o.Key.ToUpperInvariant()} {p.Key}"));
        Assert.Equal(routes.Select(r => r.Key).Order(), documented.Order());
    }

    [Fact]
    public async Task Every_route_that_reads_a_body_documents_its_schema_and_the_problems_reading_it_answers()
    {
        var document = await Document();
        var writes = Routes().Where(r => WriteMethods.Contains(r.Method)).ToList();
        Assert.NotEmpty(writes);
        Assert.Empty(OptionalBodies.Concat(Bodyless).Except(writes.Select(r => r.Key))); // the lists name existing routes

        foreach (var route in writes)
        {
            var operation = Operation(document, route)!;
            var body = operation["requestBody"];
            if (Bodyless.Contains(route.Key))
            {
                Assert.True(body is null, $"{route.Key} is listed as bodyless but documents a body");
                continue;
            }
            Assert.True(body is not null, $"{route.Key}: no request body (.AcceptsJson<TBody>(), or list it in Bodyless)");
            var schema = body["content"]?["application/json"]?["schema"];
            Assert.True(schema is not null && body["content"]!.AsObject().Count == 1, $"{route.Key}: the body is not documented as application/json with a schema");
            Assert.Equal("object", (string?)Resolve(document, schema)["type"]);
            Assert.True(OptionalBodies.Contains(route.Key) != ((bool?)body["required"] ?? false),
                $"{route.Key}: the body's required flag does not match the handler (.AcceptsJson<TBody>(optional: true) for an optional one)");
            foreach (var status in new[] { 400, 413, 415 })
                AssertProblem(document, operation, route.Key, status);
        }
    }

    [Fact]
    public async Task Routes_requiring_authorization_require_the_bearer_scheme_and_anonymous_ones_do_not()
    {
        var document = await Document();
        var routes = Routes();
        Assert.Contains(routes, r => r.Anonymous);
        Assert.Contains(routes, r => !r.Anonymous);

        foreach (var route in routes)
        {
            var operation = Operation(document, route)!;
            var schemes = (operation["security"] as JsonArray ?? []).SelectMany(s => ((JsonObject)s!).Select(p => p.Key)).ToList();
            if (route.Anonymous)
            {
                Assert.True(schemes.Count == 0, $"{route.Key} is anonymous but documents a security requirement");
                continue;
            }
            Assert.True(schemes.SequenceEqual([TraderOpenApi.BearerScheme]), $"{route.Key} requires authorization but not the bearer scheme in the document");
            AssertProblem(document, operation, route.Key, 401);
            if (route.Endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => !string.IsNullOrEmpty(a.Policy) || !string.IsNullOrEmpty(a.Roles)))
                AssertProblem(document, operation, route.Key, 403);
        }
    }

    [Fact]
    public async Task The_documented_security_is_what_the_node_enforces()
    {
        // Without a token: 401 from every route documented with the bearer scheme, something else from the others.
        var document = await Document();
        using var client = api.Factory.CreateClient();
        foreach (var route in Routes())
        {
            var secured = Operation(document, route)!["security"] is JsonArray { Count: > 0 };
            var path = ParameterInPath().Replace(route.Path, Guid.Empty.ToString());
            using var request = new HttpRequestMessage(new HttpMethod(route.Method), path);
            if (WriteMethods.Contains(route.Method)) request.Content = new StringContent("", Encoding.UTF8, "application/json");
            var response = await client.SendAsync(request);
            Assert.True(secured == (response.StatusCode == HttpStatusCode.Unauthorized),
                $"{route.Key} is documented {(secured ? "with" : "without")} the bearer scheme, but answers {(int)response.StatusCode} without a token");
        }
    }

    [Fact]
    public async Task Error_responses_are_problem_json_and_rate_limited_routes_document_429()
    {
        var document = await Document();
        foreach (var route in Routes())
        {
            var operation = Operation(document, route)!;
            foreach (var (status, _) in Responses(operation).Where(r => r.Status is >= 400 and < 500))
                AssertProblem(document, operation, route.Key, status);
            if (route.Endpoint.Metadata.GetMetadata<EnableRateLimitingAttribute>() is not null)
                AssertProblem(document, operation, route.Key, 429);
        }
        // What the handlers answer beyond the automatic ones, spot-checked.
        foreach (var (key, status) in new[] { ("POST /api/v1/auth/login", 403), ("POST /api/v1/auth/refresh", 429), ("POST /api/v1/auth/2fa/enable", 409),
                     ("DELETE /api/v1/auth/sessions/{id}", 404), ("GET /api/v1/audit", 400), ("GET /summary", 403) })
        {
            var (method, path) = (key[..key.IndexOf(' ')], key[(key.IndexOf(' ') + 1)..]);
            AssertProblem(document, document["paths"]![path]![method.ToLowerInvariant()]!, key, status);
        }
    }

    [Fact]
    public async Task The_reference_page_is_served_in_Development_with_its_own_script_and_nothing_from_a_CDN()
    {
        Assert.True(api.Factory.Services.GetRequiredService<IHostEnvironment>().IsDevelopment(), "the test host is expected to run as Development");
        using var client = api.Factory.CreateClient();
        var page = await client.GetAsync("/api-reference");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();

        Assert.Contains("openapi/v1.json", html); // relative to the page: /openapi/v1.json
        var external = ExternalUrl().Matches(html).Select(m => m.Value).Where(u => !u.StartsWith("http://localhost", StringComparison.Ordinal)).ToList();
        Assert.True(external.Count == 0, "the page loads from outside: " + string.Join(", ", external));
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            var asset = await client.GetAsync(new Uri(new Uri(client.BaseAddress!, "/api-reference/"), script));
            Assert.True(asset.StatusCode == HttpStatusCode.OK, $"{script}: {(int)asset.StatusCode}");
            Assert.Contains("javascript", asset.Content.Headers.ContentType?.MediaType);
        }
    }

    private async Task<JsonNode> Document()
    {
        using var client = api.Factory.CreateClient();
        return JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
    }

    /// <summary>Every route the node maps (from its EndpointDataSource), one per method, but the endpoints that are not the API.</summary>
    private List<Route> Routes()
    {
        var routes = new List<Route>();
        foreach (var endpoint in api.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var path = "/" + Constraint().Replace(endpoint.RoutePattern.RawText ?? "", "{$1}").Trim('/');
            if (NotTheApi.Any(p => path.StartsWith(p, StringComparison.Ordinal))) continue;
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            Assert.True(methods is { Count: > 0 }, $"{path} is mapped for any method: map it with MapGet/MapPost/...");
            routes.AddRange(methods.Select(m => new Route(m, path, endpoint)));
        }
        return routes;
    }

    private static JsonNode? Operation(JsonNode document, Route route) =>
        document["paths"]?[route.Path]?[route.Method.ToLowerInvariant()];

    private static IEnumerable<(int Status, JsonNode Response)> Responses(JsonNode operation) =>
        (operation["responses"] as JsonObject ?? []).Select(r => (int.Parse(r.Key), r.Value!));

    private static void AssertProblem(JsonNode document, JsonNode operation, string route, int status)
    {
        var response = operation["responses"]?[status.ToString()];
        Assert.True(response is not null, $"{route}: {status} is not documented");
        var content = response["content"] as JsonObject;
        Assert.True(content is not null && content.Select(c => c.Key).SequenceEqual(["application/problem+json"]),
            $"{route}: {status} is not documented as application/problem+json (.ProducesProblems({status}))");
        var schema = content["application/problem+json"]!["schema"];
        var expected = status == 400 ? "HttpValidationProblemDetails" : "ProblemDetails";
        Assert.Equal($"#/components/schemas/{expected}", (string?)schema?["$ref"]);
        Assert.NotNull(Resolve(document, schema!)["properties"]?["status"]);
    }

    private static JsonNode Resolve(JsonNode document, JsonNode schema) =>
        (string?)schema["$ref"] is { } reference
            ? document["components"]!["schemas"]![reference["#/components/schemas/".Length..]]!
            : schema;

    // {id:guid}, {name?}, {**rest} → {id}, {name}, {rest}: the document's path templates.
    [GeneratedRegex(@"\{\*{0,2}([^}:=?]+)[^}]*\}")]
    private static partial Regex Constraint();

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex ParameterInPath();

    [GeneratedRegex(@"(?:https?:)?//[a-zA-Z0-9.-]+[^\s""'<>)]*")]
    private static partial Regex ExternalUrl();

    [GeneratedRegex(@"<script[^>]*\ssrc=""([^""]+)""")]
    private static partial Regex ScriptSource();
}
