/** The one topic of the L6 baseline (its own mock broker, 12 partitions like Flotilla's). */
export const MINIMAL_PIPELINE_TOPIC = 'l6.events';
