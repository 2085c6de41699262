using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TradingActors.Api.Mail;

namespace TradingActors.Api.Tests.Infrastructure;

public sealed record Tokens(string AccessToken, string RefreshToken, DateTimeOffset AccessTokenExpiresAt, DateTimeOffset RefreshTokenExpiresAt);

/// <summary>A registered, verified and logged-in trader: its access token and its tenant.</summary>
public sealed record SignedInTrader(Trader Trader, string Token, string TenantId);

/// <summary>What a test does as a trader, through HTTP only.</summary>
public sealed class Trader(ApiFixture api, string email, string password)
{
    public static Trader New(ApiFixture api, string name) =>
        new(api, $"{name}-{Guid.NewGuid():N}@example.test", $"Correct horse battery {Guid.NewGuid():N}"[..36]);

    public string Email { get; } = email;
    public string Password { get; set; } = password;
    private HttpClient Http => api.Client;

    public Task<HttpResponseMessage> Register(bool acceptTerms = true, bool acceptRisk = true) =>
        Http.PostAsJsonAsync("/api/v1/auth/register", new { email = Email, password = Password, acceptTerms, acceptRiskDisclosure = acceptRisk });

    public async Task<ReceivedMail> Mail(string subjectContains) =>
        await api.Mail.WaitForAsync(m => m.To == Email && m.Subject.Contains(subjectContains), TimeSpan.FromSeconds(20));

    public Task<HttpResponseMessage> Login(string? password = null, string? totpCode = null) =>
        Http.PostAsJsonAsync("/api/v1/auth/login", new { email = Email, password = password ?? Password, totpCode });

    public Task<HttpResponseMessage> Refresh(string refreshToken) =>
        Http.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken });

    /// <summary>Registers, reads the verification mail from the sink, verifies by POST; returns the token it used.</summary>
    public async Task<string> RegisterAndVerify()
    {
        Assert.Equal(HttpStatusCode.Accepted, (await Register()).StatusCode);
        var token = (await Mail("Verify")).Tokens.Single();
        var verified = await Http.PostAsJsonAsync("/api/v1/auth/verify-email", new { token });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        return token;
    }

    public async Task<Tokens> LoggedIn()
    {
        var response = await Login();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await TokensOf(response);
    }

    public static async Task<Tokens> TokensOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<Tokens>())!;

    /// <summary>A login from a client that names itself (User-Agent), as a browser or app would.</summary>
    public Task<HttpResponseMessage> LoginAs(string userAgent, string? totpCode = null) =>
        Send(HttpMethod.Post, "/api/v1/auth/login", null, new { email = Email, password = Password, totpCode }, userAgent);

    public Task<HttpResponseMessage> Post(string path, string? accessToken, object? body = null) => Send(HttpMethod.Post, path, accessToken, body);

    public Task<HttpResponseMessage> Delete(string path, string? accessToken) => Send(HttpMethod.Delete, path, accessToken);

    public async Task<HttpResponseMessage> Send(HttpMethod method, string path, string? accessToken, object? body = null, string? userAgent = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (accessToken is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (userAgent is not null) request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        if (body is not null) request.Content = JsonContent.Create(body);
        return await Http.SendAsync(request);
    }

    public async Task<HttpResponseMessage> Get(string path, string? accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accessToken is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await Http.SendAsync(request);
    }
}

public static class ProblemAssert
{
    /// <summary>The response is problem+json with this status (and type suffix); returns the parsed body.</summary>
    public static async Task<JsonElement> Is(HttpResponseMessage response, HttpStatusCode status, string? type = null)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        if (type is not null) Assert.EndsWith("/" + type, body.GetProperty("type").GetString());
        return body;
    }

    public static string[] FieldErrors(JsonElement problem, string field) =>
        problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()!).ToArray();
}
