using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TradingActors.Api.Identity;

namespace TradingActors.Api.Tests.Infrastructure;

/// <summary>What many API tests do: read a response as JSON of an expected status, sign in an admin, wait for a condition.</summary>
public static class ApiCalls
{
    /// <summary>The body as JSON, once the status is the expected one (the failure shows what came instead).</summary>
    public static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        Assert.True(status == response.StatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A request as <paramref name="s"/> (Bearer token), with an optional JSON body and Idempotency-Key, through the fixture's client.</summary>
    public static async Task<HttpResponseMessage> Send(this ApiFixture api, SignedInTrader s, HttpMethod method, string path, object? body = null, string? key = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", s.Token);
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        if (body is not null) request.Content = JsonContent.Create(body);
        return await api.Client.SendAsync(request);
    }

    /// <summary>A signed-in trader given the admin role, with a token that carries it.</summary>
    public static async Task<SignedInTrader> Admin(this ApiFixture api, string name)
    {
        var admin = await api.SignIn(name);
        using (var scope = api.Factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<TraderUserManager>();
            await users.AddToRoleAsync((await users.FindByEmailAsync(admin.Trader.Email))!, "admin");
        }
        return admin with { Token = (await admin.Trader.LoggedIn()).AccessToken };
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing with <paramref name="what"/> after <paramref name="seconds"/>.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what = "condition", int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for: {what}");
            await Task.Delay(100);
        }
    }
}
