using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using TradingActors.Brokers.Fakes;
using TradingActors.Brokers.Kis;

namespace TradingActors.Brokers.Tests.Venues.Kis;

/// <summary>A started KIS fake with one seeded account, and a plain HttpClient that speaks to it as the venue's own clients do.</summary>
internal sealed class KisFakeHarness : IAsyncDisposable
{
    public const string AccountNumber = "12345678-01";
    public const string Key = "PSkey0123456789";
    public const string Secret = "secret-abcdefghijklmnopqrstuvwxyz";

    public static readonly DateTimeOffset Start = new(2025, 3, 4, 1, 0, 0, TimeSpan.Zero); // 10:00 KST

    private KisFakeHarness(KisFake fake, ManualClock? clock)
    {
        Fake = fake;
        Clock = clock;
        Http = new HttpClient { BaseAddress = fake.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    public KisFake Fake { get; }
    public ManualClock? Clock { get; }
    public HttpClient Http { get; }
    public FakeExchange Exchange => Fake.Exchange;

    /// <summary>Starts a fake on an ephemeral port; with a manual clock unless <paramref name="systemClock"/>.</summary>
    public static async Task<KisFakeHarness> StartAsync(KisFakeOptions? options = null, bool systemClock = false, decimal cash = 100_000_000m)
    {
        var clock = systemClock ? null : new ManualClock(Start);
        var fake = new KisFake(new FakeExchange((TimeProvider?)clock ?? TimeProvider.System), options ?? new KisFakeOptions { MockRequestsPerSecond = 1_000 });
        fake.SeedAccount(AccountNumber, Key, Secret, cash);
        await fake.StartAsync();
        return new KisFakeHarness(fake, clock);
    }

    public async Task<(int Status, JsonElement Body)> TokenAsync(string key = Key, string secret = Secret, string grant = "client_credentials")
    {
        var json = JsonSerializer.Serialize(new { grant_type = grant, appkey = key, appsecret = secret });
        using var response = await Http.PostAsync("oauth2/tokenP", new StringContent(json, Encoding.UTF8, "application/json"));
        return ((int)response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    public async Task<string> IssueTokenAsync()
    {
        var (status, body) = await TokenAsync();
        Assert.Equal(200, status);
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>A call with every header right unless told otherwise (a null header is left out).</summary>
    public async Task<Reply> CallAsync(HttpMethod method, string pathAndQuery, string? token, string? trId, object? body = null,
        string? key = Key, string? secret = Secret, string? custType = "P", string? trCont = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, pathAndQuery);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (key is not null) request.Headers.TryAddWithoutValidation("appkey", key);
        if (secret is not null) request.Headers.TryAddWithoutValidation("appsecret", secret);
        if (trId is not null) request.Headers.TryAddWithoutValidation("tr_id", trId);
        if (custType is not null) request.Headers.TryAddWithoutValidation("custtype", custType);
        if (trCont is not null) request.Headers.TryAddWithoutValidation("tr_cont", trCont);
        if (body is not null)
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, contentType);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Reply((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(),
            response.Headers.TryGetValues("tr_cont", out var cont) ? cont.Single() : null,
            response.Headers.TryGetValues("tr_id", out var tr) ? tr.Single() : null,
            response.Headers.TryGetValues("gt_uid", out var uid) ? uid.Single() : null,
            response.Content.Headers.ContentType?.ToString());
    }

    public static Dictionary<string, string> Order(string code = "005930", string division = "01", string qty = "1", string price = "0") => new()
    {
        ["CANO"] = "12345678",
        ["ACNT_PRDT_CD"] = "01",
        ["PDNO"] = code,
        ["ORD_DVSN"] = division,
        ["ORD_QTY"] = qty,
        ["ORD_UNPR"] = price,
        ["EXCG_ID_DVSN_CD"] = "KRX",
        ["SLL_TYPE"] = "",
        ["CNDT_PRIC"] = "",
    };

    public static string DailyQuery(string side = "00", string pdno = "", string odno = "", string ccld = "00", string order = "00",
        string start = "20250304", string end = "20250304", string nk = "") =>
        "uapi/domestic-stock/v1/trading/inquire-daily-ccld?CANO=12345678&ACNT_PRDT_CD=01" +
        $"&INQR_STRT_DT={start}&INQR_END_DT={end}&SLL_BUY_DVSN_CD={side}&INQR_DVSN={order}&PDNO={pdno}&CCLD_DVSN={ccld}" +
        $"&ORD_GNO_BRNO=&ODNO={odno}&INQR_DVSN_3=00&INQR_DVSN_1=&CTX_AREA_FK100=&CTX_AREA_NK100={nk}";

    public const string BalanceQuery = "uapi/domestic-stock/v1/trading/inquire-balance?CANO=12345678&ACNT_PRDT_CD=01&AFHR_FLPR_YN=N&OFL_YN=" +
        "&INQR_DVSN=02&UNPR_DVSN=01&FUND_STTL_ICLD_YN=N&FNCG_AMT_AUTO_RDPT_YN=N&PRCS_DVSN=00&CTX_AREA_FK100=&CTX_AREA_NK100=";

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Fake.DisposeAsync();
    }
}

/// <summary>What the fake answered: status, JSON body, and the venue's response headers.</summary>
internal sealed record Reply(int Status, JsonElement Body, string? TrCont, string? TrId, string? GtUid, string? ContentType)
{
    public string? Code => Body.TryGetProperty("msg_cd", out var c) ? c.GetString() : Body.TryGetProperty("error_code", out var e) ? e.GetString() : null;
    public string? RtCd => Body.TryGetProperty("rt_cd", out var c) ? c.GetString() : null;
    public JsonElement Output => Body.GetProperty("output");
    public List<JsonElement> Rows => Body.GetProperty("output1").EnumerateArray().ToList();
}
