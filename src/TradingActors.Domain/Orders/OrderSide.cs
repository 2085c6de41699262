namespace TradingActors.Domain.Orders;

public enum OrderSide
{
    Buy = 1,
    Sell = 2,
}
