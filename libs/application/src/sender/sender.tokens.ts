export const SMS_GATEWAY = Symbol('SMS_GATEWAY');
