using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TradingActors.Api.Http;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;

namespace TradingActors.Api.Tests.Contract;

/// <summary>
/// The OpenAPI wiring on a small host of its own (no database): the API's JSON options as AddTraderApi sets
/// them, AddTraderOpenApi, MapTraderOpenApi, and a route carrying the domain's enums, which no route has yet.
/// </summary>
public sealed class OpenApiWiringTests
{
    public sealed record EnumBody(OrderSide Side, OrderStatus Status, long Quantity, decimal? Limit, string? Note);

    [Fact]
    public async Task Enums_numbers_and_nulls_are_documented_as_they_are_on_the_wire()
    {
        await using var app = await Start(Environments.Development);
        var text = await app.GetTestClient().GetStringAsync("/openapi/v1.json");
        var schemas = JsonNode.Parse(text)!["components"]!["schemas"]!;

        var side = schemas[nameof(OrderSide)]!;
        Assert.Equal("string", (string?)side["type"]);
        Assert.Equal(Enum.GetNames<OrderSide>().Select(Camel), side["enum"]!.AsArray().Select(v => (string?)v));
        var status = schemas[nameof(OrderStatus)]!;
        Assert.Equal("string", (string?)status["type"]);
        Assert.Equal(Enum.GetNames<OrderStatus>().Select(Camel), status["enum"]!.AsArray().Select(v => (string?)v));
        var body = schemas[nameof(EnumBody)]!;
        // Numbers are numbers (not also "42" strings); what may be null may be left out (WhenWritingNull).
        Assert.Equal("integer", (string?)body["properties"]!["quantity"]!["type"]);
        Assert.Null(body["properties"]!["quantity"]!["pattern"]);
        Assert.Equal(["null", "number"], body["properties"]!["limit"]!["type"]!.AsArray().Select(t => (string?)t).Order());
        Assert.Equal(["quantity", "side", "status"], body["required"]!.AsArray().Select(r => (string?)r).Order());
        // Unknown fields are refused (RequestBodies): the schema says so too; problem details have extensions (traceId).
        Assert.False((bool?)body["additionalProperties"]);
        Assert.Null(schemas["ProblemDetails"]!["additionalProperties"]);
        Assert.Null(schemas["HttpValidationProblemDetails"]!["additionalProperties"]);
    }

    [Fact]
    public async Task The_reference_page_is_mapped_in_Development_only_and_the_document_always()
    {
        await using var production = await Start(Environments.Production);
        Assert.Equal(HttpStatusCode.NotFound, (await production.GetTestClient().GetAsync("/api-reference")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await production.GetTestClient().GetAsync("/api-reference/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await production.GetTestClient().GetAsync("/openapi/v1.json")).StatusCode);

        await using var development = await Start(Environments.Development);
        Assert.Equal(HttpStatusCode.OK, (await development.GetTestClient().GetAsync("/api-reference/")).StatusCode);
    }

    private static async Task<WebApplication> Start(string environment)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        builder.Services.ConfigureHttpJsonOptions(o => RequestBodies.Configure(o.SerializerOptions)); // as AddTraderApi
        builder.Services.AddTraderOpenApi();
        var app = builder.Build();
        app.MapTraderOpenApi(app.Environment);
        app.MapPost("/enums", (HttpContext _) => Results.Ok()).WithSummary("Enums").AcceptsJson<EnumBody>().Returns<EnumBody>();
        await app.StartAsync();
        return app;
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
