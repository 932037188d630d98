export * from './sms-gateway.port';
export { SmppGateway, type SmppGatewayOptions } from './smpp/smpp-gateway';
export {
  GatewayStateError,
  InvalidGatewayOptionError,
  InvalidSmppUrlError,
  SmppBindRejectedError,
  SmppConnectionError,
  commandStatusName,
} from './smpp/smpp-errors';
export { type SmppEndpoint, maskSmppUrl, parseSmppUrl } from './smpp/smpp-url';
export {
  type ReceiptText,
  deliveryStatusFromMessageState,
  deliveryStatusFromStat,
  normaliseMessageId,
  parseReceiptDate,
  parseReceiptText,
} from './smpp/delivery-receipt';
export { NOT_CONNECTED_ERROR_CODE } from './smpp/submit-outcome';
export { type TextEncoding, chooseTextEncoding } from './smpp/message-encoding';
export {
  MoNotDeliveredError,
  type RecordedSubmit,
  SimulatorStateError,
  SmscSimulator,
  type SmscSimulatorStats,
} from './simulator/smsc-simulator';
export { type DelaySetting, InvalidSimulatorOptionError, type SmscSimulatorOptions } from './simulator/simulator-options';
export { HttpProviderGateway, type HttpProviderGatewayOptions, PROVIDER_UNAVAILABLE_ERROR_CODE } from './http/http-provider-gateway';
export { InvalidHttpProviderOptionError, WebhookListenError } from './http/http-provider-errors';
export { PROVIDER_UNREACHABLE_ERROR_CODE } from './http/submit-response';
export { INBOUND_CALLBACK_PATH, STATUS_CALLBACK_PATH } from './http/webhook-server';
export { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhookPayload } from './http/webhook-signature';
