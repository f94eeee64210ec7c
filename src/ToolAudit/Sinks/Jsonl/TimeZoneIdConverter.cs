using System.ComponentModel;
using System.Globalization;

namespace ToolAudit;

/// <summary>
/// Converts a time zone id (<c>"Europe/Berlin"</c>, <c>"UTC"</c>, <c>"Local"</c>) to a <see cref="TimeZoneInfo"/>, so that
/// <see cref="JsonlAuditOptions"/> bound from configuration take their zones: without a converter the configuration
/// binder cannot make a <see cref="TimeZoneInfo"/> from text and silently leaves the default, and day files would roll at
/// another midnight than the one configured.
/// </summary>
internal sealed class TimeZoneIdConverter : TypeConverter
{
    private static int _registered;

    /// <summary>Registers the converter for <see cref="TimeZoneInfo"/>, once per process.</summary>
    /// <remarks>
    /// The binder asks <see cref="TypeDescriptor.GetConverter(Type)"/> of the property's type, so the converter can only be
    /// given to the type. <see cref="TimeZoneInfo"/> had none: nothing that converted before converts differently now.
    /// </remarks>
    public static void EnsureRegistered()
    {
        if (Volatile.Read(ref _registered) == 0 && Interlocked.Exchange(ref _registered, 1) == 0)
        {
            TypeDescriptor.AddAttributes(typeof(TimeZoneInfo), new TypeConverterAttribute(typeof(TimeZoneIdConverter)));
        }
    }

    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override bool CanConvertTo(ITypeDescriptorContext? context, Type? destinationType) =>
        destinationType == typeof(string) || base.CanConvertTo(context, destinationType);

    /// <exception cref="TimeZoneNotFoundException">No zone has that id (the binder names the key that gave it).</exception>
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
    {
        if (value is not string text)
        {
            return base.ConvertFrom(context, culture, value);
        }

        var id = text.Trim();

        // The very instances, not look-alikes: the store takes a fast path for TimeZoneInfo.Utc.
        return string.Equals(id, "UTC", StringComparison.OrdinalIgnoreCase) ? TimeZoneInfo.Utc
            : string.Equals(id, "Local", StringComparison.OrdinalIgnoreCase) ? TimeZoneInfo.Local
            : TimeZoneInfo.FindSystemTimeZoneById(id);
    }

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        destinationType == typeof(string) && value is TimeZoneInfo zone ? zone.Id : base.ConvertTo(context, culture, value, destinationType);
}
