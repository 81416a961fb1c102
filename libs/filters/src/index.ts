export { matchesEventType } from './event-type';
export {
  compileFilter,
  compileHeadersFilter,
  FILTER_OPERATORS,
  MAX_FILTER_DEPTH,
  type CompiledFilter,
  type FilterOperator,
} from './compile-filter';
export { FilterSyntaxError } from './filter-syntax-error';
export {
  clearFilterCache,
  FILTER_CACHE_SIZE,
  matchesSubscription,
  type FilterableEvent,
  type SubscriptionFilter,
} from './matches-subscription';
export { MAX_PATTERN_LENGTH, MAX_PROGRAM_STATES, MAX_REGEX_INPUT } from './safe-regex';
