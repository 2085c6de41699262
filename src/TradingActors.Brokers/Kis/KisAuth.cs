using System.Net.Http.Headers;
using System.Text.Json;
using TradingActors.Brokers.Http;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Kis;

/// <summary>
/// A KIS account number, "CANO-ACNT_PRDT_CD": the 8-digit comprehensive account number and the 2-digit product
/// code (01 for a stock account), e.g. "12345678-01". The venue wants the two parts in separate fields.
/// </summary>
public readonly record struct KisAccountNumber(string Cano, string ProductCode)
{
    public const string Format = "CANO-ACNT_PRDT_CD: 8 digits, a dash and 2 digits (e.g. 12345678-01)";

    public static bool TryParse(string? text, out KisAccountNumber number)
    {
        number = default;
        if (text is not { Length: 11 } || text[8] != '-') return false;
        var cano = text[..8];
        var product = text[9..];
        if (!cano.All(char.IsAsciiDigit) || !product.All(char.IsAsciiDigit)) return false;
        number = new KisAccountNumber(cano, product);
        return true;
    }

    /// <summary>Parses, or refuses the call before anything is sent (not placed), naming the format expected.</summary>
    public static KisAccountNumber Parse(string? text) =>
        TryParse(text, out var number) ? number : throw new OrderNotPlacedException($"kis account number '{text}' is not {Format}");

    public override string ToString() => $"{Cano}-{ProductCode}";
}

/// <summary>
/// The transaction ids (tr_id header) of the calls the connector makes. Real ids start with T, the mock
/// server's with V (kis_auth.py turns T into V for mock trading); quotations have one id for both.
/// </summary>
public static class KisTrIds
{
    public static string Order(OrderSide side, bool live) => Real(side == OrderSide.Buy ? "TTTC0012U" : "TTTC0011U", live);

    public static string Cancel(bool live) => Real("TTTC0013U", live);

    /// <summary>주식일별주문체결조회 within the last three months.</summary>
    public static string DailyOrders(bool live) => Real("TTTC0081R", live);

    public static string Balance(bool live) => Real("TTTC8434R", live);

    /// <summary>주식현재가 시세: the same id on both servers.</summary>
    public const string Price = "FHKST01010100";

    private static string Real(string id, bool live) => live ? id : "V" + id[1..];
}

/// <summary>
/// How KIS authenticates: an access token issued from the app key and secret (POST /oauth2/tokenP, one a minute
/// per key, a day long), sent as a bearer token together with the key and secret themselves on every call. There
/// is no request signature (the optional hashkey is not used).
/// </summary>
public static class KisAuth
{
    public const string TokenPath = "oauth2/tokenP";

    /// <summary>Individual customer (개인); "B" is for partner companies.</summary>
    public const string CustomerType = "P";

    public static string TokenBody(BrokerAccount account) =>
        JsonSerializer.Serialize(new KisTokenRequest("client_credentials", account.ApiKey ?? "", account.ApiSecret ?? ""), KisWire.Json);

    /// <summary>The token from the venue's answer; its expiry from access_token_token_expired (KST), else from expires_in.</summary>
    public static VenueToken ParseToken(string body, DateTimeOffset now)
    {
        KisTokenAnswer? answer;
        try
        {
            answer = JsonSerializer.Deserialize<KisTokenAnswer>(body, KisWire.Json);
        }
        catch (JsonException)
        {
            answer = null;
        }
        if (string.IsNullOrEmpty(answer?.AccessToken)) throw new OrderNotPlacedException("kis token answer carried no access_token");
        var expires = KisWire.ParseExpiry(answer.ExpiresAt)
            ?? (answer.ExpiresIn is > 0 ? now.AddSeconds(answer.ExpiresIn.Value) : throw new OrderNotPlacedException("kis token answer carried no expiry"));
        return new VenueToken(answer.AccessToken, expires);
    }

    /// <summary>The account's session token when it can still be used; otherwise the session must issue one first.</summary>
    public static VenueToken RequireUsableToken(BrokerAccount account, DateTimeOffset now)
    {
        if (account.Token is not { } token) throw VenueRefusal.TokenRefused("kis: the account has no session token");
        if (!token.IsUsableAt(now)) throw VenueRefusal.TokenRefused($"kis: the session token expires at {token.ExpiresAt:O}");
        return token;
    }

    /// <summary>The headers of a trading or quotation call. tr_cont is "" on a first page and "N" on the next ones.</summary>
    public static void Apply(HttpRequestMessage request, BrokerAccount account, VenueToken token, string trId, string trCont = "")
    {
        var headers = request.Headers;
        headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        headers.TryAddWithoutValidation("appkey", account.ApiKey ?? "");
        headers.TryAddWithoutValidation("appsecret", account.ApiSecret ?? "");
        headers.TryAddWithoutValidation("tr_id", trId);
        headers.TryAddWithoutValidation("tr_cont", trCont);
        headers.TryAddWithoutValidation("custtype", CustomerType);
    }
}
