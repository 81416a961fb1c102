/**
 * Whether an event type is selected by a subscription's `event_types`: `*` selects everything,
 * `invoice.*` selects `invoice.paid` and `invoice.x.y` but not `invoice` itself, anything else is an
 * exact, case-sensitive match. No patterns select nothing (callers default to `["*"]`).
 */
export function matchesEventType(patterns: readonly string[], eventType: string): boolean {
  for (const pattern of patterns) {
    if (pattern === '*' || pattern === eventType) return true;
    if (isPrefixPattern(pattern) && hasPrefix(eventType, pattern)) return true;
  }
  return false;
}

/** `invoice.*`: at least one character, then `.*`. */
function isPrefixPattern(pattern: string): boolean {
  const n = pattern.length;
  return n > 2 && pattern.charCodeAt(n - 1) === 0x2a && pattern.charCodeAt(n - 2) === 0x2e;
}

/** Whether `eventType` continues past `invoice.`; compared in place, as this runs per event × subscription. */
function hasPrefix(eventType: string, pattern: string): boolean {
  const prefixLength = pattern.length - 1; // keeps the dot
  if (eventType.length <= prefixLength) return false;
  for (let i = 0; i < prefixLength; i++) {
    if (eventType.charCodeAt(i) !== pattern.charCodeAt(i)) return false;
  }
  return true;
}
