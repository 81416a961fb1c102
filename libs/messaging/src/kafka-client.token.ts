/** The Nest token of the service's kafkajs client (made once per service by MessagingModule). */
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
