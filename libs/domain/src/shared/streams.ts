/**
 * Stream names. A stream is bounded: one per campaign, target, sender, template and import.
 * A phone number never appears in a stream name: target ids are random or a keyed hash.
 */
export const streams = {
  campaign: (campaignId: string) => `campaign-${campaignId}`,
  target: (targetId: string) => `target-${targetId}`,
  sender: (senderId: string) => `sender-${senderId}`,
  template: (templateId: string) => `template-${templateId}`,
  calendar: (calendarId: string) => `calendar-${calendarId}`,
  profile: (profileId: string) => `profile-${profileId}`,
  import: (importId: string) => `import-${importId}`,
} as const;

export const STREAM_PREFIXES = {
  campaign: 'campaign-',
  target: 'target-',
  sender: 'sender-',
  template: 'template-',
  calendar: 'calendar-',
  profile: 'profile-',
  import: 'import-',
} as const;

/** Returns the id part of a stream name (`target-abc` gives `abc`). */
export function idFromStreamName(streamName: string): string {
  return streamName.slice(streamName.indexOf('-') + 1);
}
