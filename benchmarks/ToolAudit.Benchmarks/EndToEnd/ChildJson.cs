using System.Text.Json.Serialization;

namespace ToolAudit.Benchmarks.EndToEnd;

/// <summary>Source-generated JSON for what the children report.</summary>
[JsonSerializable(typeof(ChildResult))]
[JsonSerializable(typeof(ReadResult))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
internal sealed partial class ChildJson : JsonSerializerContext;
