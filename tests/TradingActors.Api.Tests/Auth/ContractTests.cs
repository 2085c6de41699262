using System.Net;
using System.Net.Http.Json;
using System.Text;
using TradingActors.Api.Tests.Infrastructure;

namespace TradingActors.Api.Tests.Auth;

[Collection(ApiCollection.Name)]
public sealed class ContractTests(ApiFixture api)
{
    private Task<HttpResponseMessage> PostRaw(string path, string body, string contentType = "application/json") =>
        api.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));

    [Fact]
    public async Task Malformed_unknown_field_wrongly_typed_and_oversized_bodies_are_refused_as_problem_json_and_change_nothing()
    {
        var email = $"contract-{Guid.NewGuid():N}@example.test";
        var users = await api.Database.ScalarAsync("SELECT count(*) FROM users");
        var audit = await api.Database.ScalarAsync("SELECT count(*) FROM audit");
        const string password = "A perfectly fine passphrase 42";

        await ProblemAssert.Is(await PostRaw("/api/v1/auth/register", "{\"email\": "), HttpStatusCode.BadRequest, "validation");

        var unknown = await ProblemAssert.Is(await PostRaw("/api/v1/auth/register",
            $$"""{"email":"{{email}}","password":"{{password}}","acceptTerms":true,"acceptRiskDisclosure":true,"roles":["admin"]}"""), HttpStatusCode.BadRequest, "validation");
        Assert.Equal(["Unknown field."], ProblemAssert.FieldErrors(unknown, "roles"));

        var wrongType = await ProblemAssert.Is(await PostRaw("/api/v1/auth/register",
            $$"""{"email":"{{email}}","password":"{{password}}","acceptTerms":"yes","acceptRiskDisclosure":true}"""), HttpStatusCode.BadRequest, "validation");
        Assert.Single(ProblemAssert.FieldErrors(wrongType, "acceptTerms"));

        var huge = new string('x', 20_000);
        var tooLarge = await ProblemAssert.Is(await PostRaw("/api/v1/auth/register",
            $$"""{"email":"{{email}}","password":"{{huge}}","acceptTerms":true,"acceptRiskDisclosure":true}"""), HttpStatusCode.RequestEntityTooLarge, "body-too-large");
        Assert.DoesNotContain(huge, tooLarge.ToString());

        await ProblemAssert.Is(await PostRaw("/api/v1/auth/register", $$"""{"email":"{{email}}"}""", "text/plain"), HttpStatusCode.UnsupportedMediaType);
        await ProblemAssert.Is(await PostRaw("/api/v1/auth/login", "[1,2]"), HttpStatusCode.BadRequest, "validation");

        Assert.Equal(users, await api.Database.ScalarAsync("SELECT count(*) FROM users"));
        Assert.Equal(audit, await api.Database.ScalarAsync("SELECT count(*) FROM audit"));
        Assert.DoesNotContain(api.Mail.Received, m => m.To == email);
    }

    [Fact]
    public async Task Registration_names_each_invalid_field_and_both_acceptances_are_required()
    {
        var missing = await ProblemAssert.Is(await api.Client.PostAsJsonAsync("/api/v1/auth/register",
            new { email = "not-an-email", password = "", acceptTerms = false }), HttpStatusCode.BadRequest, "validation");
        Assert.NotEmpty(ProblemAssert.FieldErrors(missing, "email"));
        Assert.NotEmpty(ProblemAssert.FieldErrors(missing, "password"));
        Assert.NotEmpty(ProblemAssert.FieldErrors(missing, "acceptTerms"));
        Assert.NotEmpty(ProblemAssert.FieldErrors(missing, "acceptRiskDisclosure"));

        foreach (var invalid in new[] { "a b@example.test", "@example.test", "someone@", "x@y@z" })
        {
            var problem = await ProblemAssert.Is(await api.Client.PostAsJsonAsync("/api/v1/auth/register",
                new { email = invalid, password = "A perfectly fine passphrase 42", acceptTerms = true, acceptRiskDisclosure = true }), HttpStatusCode.BadRequest, "validation");
            Assert.Equal(["email"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        }

        var email = $"policy-{Guid.NewGuid():N}@example.test";
        async Task<string[]> PasswordErrors(string password) => ProblemAssert.FieldErrors(
            await ProblemAssert.Is(await api.Client.PostAsJsonAsync("/api/v1/auth/register",
                new { email, password, acceptTerms = true, acceptRiskDisclosure = true }), HttpStatusCode.BadRequest, "validation"),
            "password");

        Assert.Contains(await PasswordErrors("short pass"), e => e.Contains("12"));
        Assert.Contains(await PasswordErrors("1qaz2wsx3edc"), e => e.Contains("common"));
        Assert.Contains(await PasswordErrors("QWERTY123456"), e => e.Contains("common"));
        Assert.Contains(await PasswordErrors(email), e => e.Contains("email"));
        Assert.Contains(await PasswordErrors("my " + email.Split('@')[0] + " pw"), e => e.Contains("email"));
        Assert.Equal(0, await api.Database.ScalarAsync($"SELECT count(*) FROM users WHERE email = '{email}'"));
    }

    [Fact]
    public async Task An_unknown_route_answers_401_problem_json_without_telling_whether_it_exists()
    {
        // No route: still problem+json (status code pages), never an HTML or empty body.
        await ProblemAssert.Is(await api.Client.GetAsync("/api/v1/auth/nothing-here"), HttpStatusCode.Unauthorized);
    }
}
