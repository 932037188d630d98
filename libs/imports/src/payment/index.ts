export { openPaymentRows, paymentConsumerName, type PaymentSubscription } from './payment-source';
export { PAYMENT_COLUMNS } from './payment-message';
