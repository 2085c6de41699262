using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TradingActors.Brokers.Kis;

// The KIS Open API's JSON, with its own field names (koreainvestment/open-trading-api, examples_llm/domestic_stock):
// request bodies carry upper-case keys and string values only, answers lower-case keys and string values.
// Shared by the connector and its fake.

/// <summary>POST /oauth2/tokenP.</summary>
public sealed record KisTokenRequest(
    [property: JsonPropertyName("grant_type")] string GrantType,
    [property: JsonPropertyName("appkey")] string AppKey,
    [property: JsonPropertyName("appsecret")] string AppSecret)
{
    public override string ToString() => "KisTokenRequest { }";
}

/// <summary>The token answer: access_token_token_expired is "yyyy-MM-dd HH:mm:ss" in Korean time.</summary>
public sealed record KisTokenAnswer(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("expires_in")] long? ExpiresIn,
    [property: JsonPropertyName("access_token_token_expired")] string? ExpiresAt)
{
    public override string ToString() => $"KisTokenAnswer {{ ExpiresAt = {ExpiresAt} }}";
}

/// <summary>What the OAuth endpoints answer when they refuse (HTTP 403).</summary>
public sealed record KisOAuthError(
    [property: JsonPropertyName("error_code")] string ErrorCode,
    [property: JsonPropertyName("error_description")] string ErrorDescription);

/// <summary>The envelope of every trading and quotation answer: rt_cd "0" is success, msg_cd/msg1 say why not.</summary>
public record KisAnswer
{
    [JsonPropertyName("rt_cd")] public string? RtCd { get; init; }
    [JsonPropertyName("msg_cd")] public string? MsgCd { get; init; }
    [JsonPropertyName("msg1")] public string? Msg1 { get; init; }
}

/// <summary>POST /uapi/domestic-stock/v1/trading/order-cash (tr_id TTTC0012U buy, TTTC0011U sell; mock VTTC...).</summary>
public sealed record KisOrderCashRequest(
    [property: JsonPropertyName("CANO")] string Cano,
    [property: JsonPropertyName("ACNT_PRDT_CD")] string ProductCode,
    [property: JsonPropertyName("PDNO")] string Code,
    [property: JsonPropertyName("ORD_DVSN")] string OrderDivision,
    [property: JsonPropertyName("ORD_QTY")] string Quantity,
    [property: JsonPropertyName("ORD_UNPR")] string UnitPrice,
    [property: JsonPropertyName("EXCG_ID_DVSN_CD")] string Exchange,
    [property: JsonPropertyName("SLL_TYPE")] string SellType,
    [property: JsonPropertyName("CNDT_PRIC")] string ConditionPrice);

/// <summary>The order number KIS gives a new (or cancel) order: both parts identify it to the exchange.</summary>
public sealed record KisOrderOutput(
    [property: JsonPropertyName("KRX_FWDG_ORD_ORGNO")] string? ForwardingOrg,
    [property: JsonPropertyName("ODNO")] string? OrderNumber,
    [property: JsonPropertyName("ORD_TMD")] string? OrderTime);

public sealed record KisOrderAnswer : KisAnswer
{
    [JsonPropertyName("output")] public KisOrderOutput? Output { get; init; }
}

/// <summary>POST /uapi/domestic-stock/v1/trading/order-rvsecncl (tr_id TTTC0013U; mock VTTC0013U); RVSE_CNCL_DVSN_CD 02 cancels.</summary>
public sealed record KisCancelRequest(
    [property: JsonPropertyName("CANO")] string Cano,
    [property: JsonPropertyName("ACNT_PRDT_CD")] string ProductCode,
    [property: JsonPropertyName("KRX_FWDG_ORD_ORGNO")] string ForwardingOrg,
    [property: JsonPropertyName("ORGN_ODNO")] string OriginalOrderNumber,
    [property: JsonPropertyName("ORD_DVSN")] string OrderDivision,
    [property: JsonPropertyName("RVSE_CNCL_DVSN_CD")] string ReviseCancel,
    [property: JsonPropertyName("ORD_QTY")] string Quantity,
    [property: JsonPropertyName("ORD_UNPR")] string UnitPrice,
    [property: JsonPropertyName("QTY_ALL_ORD_YN")] string AllQuantity,
    [property: JsonPropertyName("EXCG_ID_DVSN_CD")] string Exchange);

/// <summary>
/// One row of GET /uapi/domestic-stock/v1/trading/inquire-daily-ccld (주식일별주문체결조회): an order and what has
/// executed of it. A modify or cancel order is a row of its own whose orgn_odno names the original.
/// </summary>
public sealed record KisOrderRow
{
    [JsonPropertyName("ord_dt")] public string? OrderDate { get; init; }
    [JsonPropertyName("ord_gno_brno")] public string? OrderBranch { get; init; }
    [JsonPropertyName("odno")] public string? OrderNumber { get; init; }
    [JsonPropertyName("orgn_odno")] public string? OriginalOrderNumber { get; init; }
    [JsonPropertyName("ord_dvsn_name")] public string? OrderDivisionName { get; init; }
    [JsonPropertyName("sll_buy_dvsn_cd")] public string? SideCode { get; init; }
    [JsonPropertyName("sll_buy_dvsn_cd_name")] public string? SideName { get; init; }
    [JsonPropertyName("pdno")] public string? Code { get; init; }
    [JsonPropertyName("prdt_name")] public string? Name { get; init; }
    [JsonPropertyName("ord_qty")] public string? Quantity { get; init; }
    [JsonPropertyName("ord_unpr")] public string? UnitPrice { get; init; }
    [JsonPropertyName("ord_tmd")] public string? OrderTime { get; init; }
    [JsonPropertyName("tot_ccld_qty")] public string? FilledQuantity { get; init; }
    [JsonPropertyName("avg_prvs")] public string? AveragePrice { get; init; }
    [JsonPropertyName("cncl_yn")] public string? Cancelled { get; init; }
    [JsonPropertyName("tot_ccld_amt")] public string? FilledAmount { get; init; }
    [JsonPropertyName("ord_dvsn_cd")] public string? OrderDivision { get; init; }
    [JsonPropertyName("cnc_cfrm_qty")] public string? CancelConfirmedQuantity { get; init; }
    [JsonPropertyName("rmn_qty")] public string? RemainingQuantity { get; init; }
    [JsonPropertyName("rjct_qty")] public string? RejectedQuantity { get; init; }
}

/// <summary>The totals inquire-daily-ccld adds to each page (output2).</summary>
public sealed record KisDailyOrdersSummary
{
    [JsonPropertyName("tot_ord_qty")] public string? OrderedQuantity { get; init; }
    [JsonPropertyName("tot_ccld_qty")] public string? FilledQuantity { get; init; }
    [JsonPropertyName("tot_ccld_amt")] public string? FilledAmount { get; init; }
    [JsonPropertyName("prsm_tlex_smtl")] public string? EstimatedCosts { get; init; }
    [JsonPropertyName("pchs_avg_pric")] public string? AveragePrice { get; init; }
}

/// <summary>A page of inquire-daily-ccld; ctx_area_fk100/nk100 carry the search on to the next page.</summary>
public sealed record KisDailyOrdersAnswer : KisAnswer
{
    [JsonPropertyName("ctx_area_fk100")] public string? ContextFk { get; init; }
    [JsonPropertyName("ctx_area_nk100")] public string? ContextNk { get; init; }
    [JsonPropertyName("output1")] public List<KisOrderRow>? Rows { get; init; }
    [JsonPropertyName("output2")] public KisDailyOrdersSummary? Summary { get; init; }
}

/// <summary>A holding in GET /uapi/domestic-stock/v1/trading/inquire-balance (output1).</summary>
public sealed record KisHolding
{
    [JsonPropertyName("pdno")] public string? Code { get; init; }
    [JsonPropertyName("prdt_name")] public string? Name { get; init; }
    [JsonPropertyName("hldg_qty")] public string? Quantity { get; init; }
    [JsonPropertyName("ord_psbl_qty")] public string? OrderableQuantity { get; init; }
    [JsonPropertyName("pchs_avg_pric")] public string? AveragePrice { get; init; }
    [JsonPropertyName("pchs_amt")] public string? PurchaseAmount { get; init; }
    [JsonPropertyName("prpr")] public string? Price { get; init; }
    [JsonPropertyName("evlu_amt")] public string? Value { get; init; }
}

/// <summary>The account totals of inquire-balance (output2, an array of one): deposit and total valuation in KRW.</summary>
public sealed record KisBalanceSummary
{
    [JsonPropertyName("dnca_tot_amt")] public string? Deposit { get; init; }
    [JsonPropertyName("nxdy_excc_amt")] public string? NextDaySettlement { get; init; }
    [JsonPropertyName("prvs_rcdl_excc_amt")] public string? SettlementD2 { get; init; }
    [JsonPropertyName("scts_evlu_amt")] public string? SecuritiesValue { get; init; }
    [JsonPropertyName("tot_evlu_amt")] public string? TotalValue { get; init; }
    [JsonPropertyName("nass_amt")] public string? NetAssets { get; init; }
}

public sealed record KisBalanceAnswer : KisAnswer
{
    [JsonPropertyName("ctx_area_fk100")] public string? ContextFk { get; init; }
    [JsonPropertyName("ctx_area_nk100")] public string? ContextNk { get; init; }
    [JsonPropertyName("output1")] public List<KisHolding>? Holdings { get; init; }
    [JsonPropertyName("output2")] public List<KisBalanceSummary>? Summary { get; init; }
}

/// <summary>GET /uapi/domestic-stock/v1/quotations/inquire-price (tr_id FHKST01010100), output: the current price and its tick (aspr_unit).</summary>
public sealed record KisPrice
{
    [JsonPropertyName("stck_prpr")] public string? Price { get; init; }
    [JsonPropertyName("stck_shrn_iscd")] public string? Code { get; init; }
    [JsonPropertyName("aspr_unit")] public string? Tick { get; init; }
    [JsonPropertyName("hts_deal_qty_unit_val")] public string? QuantityUnit { get; init; }
    [JsonPropertyName("rprs_mrkt_kor_name")] public string? Market { get; init; }
}

public sealed record KisPriceAnswer : KisAnswer
{
    [JsonPropertyName("output")] public KisPrice? Output { get; init; }
}

/// <summary>Encoding rules of the wire: JSON options, Korean time, amounts as invariant strings.</summary>
public static class KisWire
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Korean messages stay readable in the fake's answers and in tests.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Korea Standard Time: UTC+9 all year (no daylight saving).</summary>
    public static readonly TimeSpan Kst = TimeSpan.FromHours(9);

    public static DateTimeOffset ToKst(DateTimeOffset at) => at.ToOffset(Kst);

    /// <summary>A KST date as the venue writes it (yyyyMMdd).</summary>
    public static string Date(DateTimeOffset at) => ToKst(at).ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>A KST time of day as the venue writes it (HHmmss).</summary>
    public static string Time(DateTimeOffset at) => ToKst(at).ToString("HHmmss", CultureInfo.InvariantCulture);

    /// <summary>The instant of a KST date (yyyyMMdd) and time (HHmmss); null when either does not parse.</summary>
    public static DateTimeOffset? ParseDateTime(string? date, string? time)
    {
        if (!DateTime.TryParseExact(date + time, "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return null;
        return new DateTimeOffset(local, Kst);
    }

    /// <summary>A token's expiry, "yyyy-MM-dd HH:mm:ss" in KST; null when it does not parse.</summary>
    public static DateTimeOffset? ParseExpiry(string? text) =>
        DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? new DateTimeOffset(local, Kst)
            : null;

    public static string FormatExpiry(DateTimeOffset at) => ToKst(at).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>A whole number (shares, KRW) as the venue writes it: digits, no decimals.</summary>
    public static string Whole(decimal value) => decimal.Truncate(value).ToString(CultureInfo.InvariantCulture);

    /// <summary>A number the venue sent as a string; blank is zero (the venue leaves unused amounts empty).</summary>
    public static decimal Number(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return 0m;
        return decimal.TryParse(text.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a number");
    }
}
