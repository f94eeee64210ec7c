using Microsoft.Extensions.Time.Testing;

namespace ToolAudit.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that can stop one thread inside its next <see cref="GetTimestamp"/> call and run
/// the test's code there: the way to act at an exact point of a wait for room (the recorder reads the timestamp when
/// its wait begins, and again to see whether the wait has run out).
/// </summary>
public sealed class InterceptingTimeProvider : TimeProvider
{
    private readonly object _lock = new();
    private int _threadId = -1;
    private Action? _intercept;

    /// <summary>The clock itself: advance it to move time.</summary>
    public FakeTimeProvider Clock { get; } = new();

    public override long TimestampFrequency => Clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Clock.LocalTimeZone;

    /// <summary>Runs <paramref name="intercept"/> (once) at the start of the next timestamp read on the thread <paramref name="threadId"/>.</summary>
    public void InterceptNextTimestamp(int threadId, Action intercept)
    {
        lock (_lock)
        {
            _threadId = threadId;
            _intercept = intercept;
        }
    }

    public override DateTimeOffset GetUtcNow() => Clock.GetUtcNow();

    public override long GetTimestamp()
    {
        Action? intercept = null;
        lock (_lock)
        {
            if (_threadId == Environment.CurrentManagedThreadId)
            {
                intercept = _intercept;
                _intercept = null;
                _threadId = -1;
            }
        }

        intercept?.Invoke();
        return Clock.GetTimestamp();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        Clock.CreateTimer(callback, state, dueTime, period);
}
