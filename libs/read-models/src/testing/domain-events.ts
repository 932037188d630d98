import type {
  CampaignCreated,
  CampaignSettings,
  ImportCounts,
  ImportRowError,
  SmsAttempted,
  SmsAttemptStarted,
  SmsDeliveryReported,
  StatusToggled,
  TargetAdded,
} from '@sms/domain';

/** Domain event builders with plausible defaults. Each test passes the ids and fields it checks. */

export function campaignCreated(id: string, settings: Partial<CampaignSettings> = {}): CampaignCreated {
  return {
    type: 'CampaignCreated',
    data: {
      id,
      name: 'Winter reminders',
      reference: 'WR-2026',
      alias: null,
      senderId: 'sender-1',
      templateId: 'template-1',
      calendarId: null,
      endDate: null,
      timeZone: 'Europe/Paris',
      language: 'fr',
      refreshSeconds: 60,
      chatFlow: { enabled: false, flowId: null },
      throughputPerSecond: null,
      maxAttempts: 3,
      retryDelaySeconds: 600,
      tags: [],
      ...settings,
    },
  };
}

export function statusToggled(status: 'ON' | 'OFF', sessionId: string): StatusToggled {
  return { type: 'StatusToggled', data: { status, sessionId, newSession: status === 'ON', source: 'MAKER' } };
}

export function targetAdded(targetId: string, campaignId: string, data: Partial<TargetAdded['data']> = {}): TargetAdded {
  return {
    type: 'TargetAdded',
    data: {
      targetId,
      campaignId,
      phoneNumber: '+33612345678',
      startDate: null,
      priority: 5,
      timeZone: null,
      layout: null,
      importId: null,
      ...data,
    },
  };
}

export function attemptStarted(attemptId: string, campaignId: string, data: Partial<SmsAttemptStarted['data']> = {}): SmsAttemptStarted {
  return {
    type: 'SmsAttemptStarted',
    data: { attemptId, attemptNumber: 1, campaignId, sessionId: 'session-1', startedAt: '2026-12-07T09:00:00.000Z', ...data },
  };
}

export function attempted(attemptId: string, data: Partial<SmsAttempted['data']> = {}): SmsAttempted {
  return {
    type: 'SmsAttempted',
    data: {
      attemptId,
      sessionId: 'session-1',
      status: 'SENT',
      providerMessageId: `provider-${attemptId}`,
      error: null,
      encoding: 'GSM-7',
      segments: 1,
      at: '2026-12-07T09:00:02.000Z',
      retryAt: null,
      ...data,
    },
  };
}

export function deliveryReported(
  attemptId: string,
  providerMessageId: string,
  data: Partial<SmsDeliveryReported['data']> = {},
): SmsDeliveryReported {
  return {
    type: 'SmsDeliveryReported',
    data: {
      attemptId,
      providerMessageId,
      status: 'DELIVERED',
      errorCode: null,
      doneAt: '2026-12-07T09:00:00.000Z',
      receivedAt: '2026-12-07T09:00:30.000Z',
      ...data,
    },
  };
}

export function importCounts(processed: number, imported: number, duplicates: number, rejected: number): ImportCounts {
  return { processed, imported, duplicates, rejected };
}

export function rowErrors(firstLine: number, count: number): ImportRowError[] {
  return Array.from({ length: count }, (_, index) => ({
    line: firstLine + index,
    value: `0${index}`,
    reason: 'phoneNumber is not a valid number for FR',
  }));
}
