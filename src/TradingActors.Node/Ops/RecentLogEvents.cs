using Serilog.Core;
using Serilog.Events;

namespace TradingActors.Node.Ops;

/// <summary>
/// The node's last events (a Serilog sink holding a bounded ring), for `tradectl log peek`. It sees what the node logs
/// after the secret masking, so it holds nothing the logs would not.
/// </summary>
public sealed class RecentLogEvents(int capacity = 500) : ILogEventSink
{
    public sealed record Entry(DateTimeOffset Time, string Level, string? Source, string Message, string? Exception);

    private readonly Queue<Entry> _entries = new(capacity);
    private readonly Lock _gate = new();

    public void Emit(LogEvent logEvent)
    {
        var source = logEvent.Properties.TryGetValue("SourceContext", out var s) && s is ScalarValue { Value: string text } ? text : null;
        var entry = new Entry(logEvent.Timestamp, logEvent.Level.ToString(), source, logEvent.RenderMessage(), logEvent.Exception?.GetType().Name);
        lock (_gate)
        {
            if (_entries.Count == capacity) _entries.Dequeue();
            _entries.Enqueue(entry);
        }
    }

    /// <summary>The newest <paramref name="count"/> events at or above <paramref name="minimum"/>, oldest first.</summary>
    public IReadOnlyList<Entry> Peek(LogEventLevel minimum, int count)
    {
        lock (_gate)
            return _entries.Where(e => Enum.Parse<LogEventLevel>(e.Level) >= minimum).TakeLast(count).ToList();
    }
}
