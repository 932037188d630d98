import { deciderSpec } from '../shared/decider-spec';
import { CampaignCreated, campaignDecider, CampaignSettings, StatusToggled } from './campaign';

const settings: CampaignSettings = {
  name: 'Relance',
  reference: 'REL-1',
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
  maxAttempts: 1,
  retryDelaySeconds: 0,
  tags: [],
};

const created: CampaignCreated = { type: 'CampaignCreated', data: { id: 'c1', ...settings } };
const on = (sessionId: string, newSession: boolean): StatusToggled => ({
  type: 'StatusToggled',
  data: { status: 'ON', sessionId, newSession, source: 'MAKER' },
});
const off = (sessionId: string): StatusToggled => ({
  type: 'StatusToggled',
  data: { status: 'OFF', sessionId, newSession: false, source: 'BANNER' },
});

const spec = deciderSpec(campaignDecider);

describe('campaign decider', () => {
  it('creates a campaign', () => {
    spec.given([]).when({ type: 'CreateCampaign', id: 'c1', settings }).then([created]);
  });

  it('rejects creating the same campaign twice', () => {
    spec.given([created]).when({ type: 'CreateCampaign', id: 'c1', settings }).thenThrows('CAMPAIGN.ALREADY_EXISTS');
  });

  it('opens a session on the first ON', () => {
    spec
      .given([created])
      .when({ type: 'ToggleStatus', status: 'ON', carryOnSession: true, newSessionId: 's1', source: 'MAKER' })
      .then([on('s1', true)]);
  });

  it('carries the session on after OFF then ON by default', () => {
    spec
      .given([created, on('s1', true), off('s1')])
      .when({ type: 'ToggleStatus', status: 'ON', carryOnSession: true, newSessionId: 's2', source: 'MAKER' })
      .then([on('s1', false)]);
  });

  it('opens a new session when carry-on is refused', () => {
    spec
      .given([created, on('s1', true), off('s1')])
      .when({ type: 'ToggleStatus', status: 'ON', carryOnSession: false, newSessionId: 's2', source: 'MAKER' })
      .then([on('s2', true)]);
  });

  it('records which front end switched it off', () => {
    spec
      .given([created, on('s1', true)])
      .when({ type: 'ToggleStatus', status: 'OFF', carryOnSession: true, newSessionId: 'unused', source: 'BANNER' })
      .then([off('s1')]);
  });

  it('records nothing when the status does not change', () => {
    spec
      .given([created, on('s1', true)])
      .when({ type: 'ToggleStatus', status: 'ON', carryOnSession: false, newSessionId: 's2', source: 'MAKER' })
      .then([]);
  });

  it('rejects a toggle of a campaign that does not exist', () => {
    spec
      .given([])
      .when({ type: 'ToggleStatus', status: 'ON', carryOnSession: true, newSessionId: 's1', source: 'MAKER' })
      .thenThrows('CAMPAIGN.NOT_FOUND');
  });
});

describe('campaign decider, settings and deletion', () => {
  it('records only the settings that change', () => {
    spec
      .given([created])
      .when({ type: 'ChangeCampaignSettings', changes: { name: 'Relance 2', tags: [], refreshSeconds: 60 } })
      .then([{ type: 'CampaignSettingsChanged', data: { changed: ['name'], settings: { ...settings, name: 'Relance 2' } } }]);
  });

  it('records nothing for a change to the same values', () => {
    spec
      .given([created])
      .when({ type: 'ChangeCampaignSettings', changes: { name: 'Relance' } })
      .then([]);
  });

  it('refuses to delete a campaign that is ON', () => {
    spec
      .given([created, on('s1', true)])
      .when({ type: 'DeleteCampaign' })
      .thenThrows('CAMPAIGN.IS_ON');
  });

  it('deletes a campaign that is OFF, which then no longer exists', () => {
    const deleted = { type: 'CampaignDeleted' as const, data: { id: 'c1' } };
    spec
      .given([created, on('s1', true), off('s1')])
      .when({ type: 'DeleteCampaign' })
      .then([deleted]);
    spec
      .given([created, deleted])
      .when({ type: 'ToggleStatus', status: 'ON', carryOnSession: true, newSessionId: 's2', source: 'MAKER' })
      .thenThrows('CAMPAIGN.NOT_FOUND');
  });
});

describe('campaign decider, profiles', () => {
  it('assigns profiles once, ignoring repeats', () => {
    spec
      .given([created])
      .when({ type: 'AssignCampaignProfiles', profileIds: ['p1', 'p2', 'p1'] })
      .then([{ type: 'CampaignProfilesAssigned', data: { profileIds: ['p1', 'p2'] } }]);
    spec
      .given([created, { type: 'CampaignProfilesAssigned', data: { profileIds: ['p1', 'p2'] } }])
      .when({ type: 'AssignCampaignProfiles', profileIds: ['p2', 'p1'] })
      .then([]);
  });
});

describe('campaign decider, target layouts', () => {
  const relance = { name: 'relance', fields: [{ key: 'firstName', label: 'Prénom', type: 'string' as const }] };
  const payment = {
    name: 'paiement',
    fields: [
      { key: 'firstName', label: 'Prénom', type: 'string' as const },
      { key: 'amount', label: 'Montant', type: 'number' as const },
    ],
  };
  const defined = { type: 'TargetLayoutsDefined' as const, data: { layouts: [relance] } };

  it('defines layouts that hold every placeholder of the template', () => {
    spec
      .given([created])
      .when({ type: 'DefineTargetLayouts', layouts: [relance, payment], templatePlaceholders: ['firstName', 'phoneNumber'] })
      .then([{ type: 'TargetLayoutsDefined', data: { layouts: [relance, payment] } }]);
  });

  it('rejects a layout that lacks a placeholder of the template, naming it', () => {
    const decide = spec
      .given([created])
      .when({ type: 'DefineTargetLayouts', layouts: [relance, payment], templatePlaceholders: ['firstName', 'amount'] }).result;
    expect(decide).toThrow(expect.objectContaining({ code: 'CAMPAIGN.TEMPLATE_NOT_COVERED' }));
    expect(decide).toThrow(/layouts\[0\]\.fields .*'amount'/);
  });

  it('rejects a reserved key and a key used twice in one layout', () => {
    const layout = {
      name: 'x',
      fields: [
        { key: 'startDate', label: 'Start', type: 'date' as const },
        { key: 'city', label: 'Ville', type: 'string' as const },
        { key: 'city', label: 'Ville 2', type: 'string' as const },
      ],
    };
    const decide = spec.given([created]).when({ type: 'DefineTargetLayouts', layouts: [layout], templatePlaceholders: [] }).result;
    expect(decide).toThrow(expect.objectContaining({ code: 'CAMPAIGN.INVALID_LAYOUTS' }));
    expect(decide).toThrow(/fields\[0\]\.key "startDate" is reserved.*fields\[2\]\.key "city" must be unique/);
  });

  it('records nothing when the layouts do not change', () => {
    spec
      .given([created, defined])
      .when({ type: 'DefineTargetLayouts', layouts: [relance], templatePlaceholders: [] })
      .then([]);
  });

  it('refuses a new template whose placeholders a layout lacks', () => {
    spec
      .given([created, defined])
      .when({ type: 'ChangeCampaignSettings', changes: { templateId: 'template-2' }, templatePlaceholders: ['firstName', 'amount'] })
      .thenThrows('CAMPAIGN.TEMPLATE_NOT_COVERED');
    spec
      .given([created, defined])
      .when({ type: 'ChangeCampaignSettings', changes: { templateId: 'template-2' }, templatePlaceholders: ['firstName'] })
      .then([{ type: 'CampaignSettingsChanged', data: { changed: ['templateId'], settings: { ...settings, templateId: 'template-2' } } }]);
  });
});

describe('campaign decider, copies and emptying', () => {
  it('creates a copy with its source, layouts and profiles in one decision', () => {
    const layouts = [{ name: 'relance', fields: [{ key: 'firstName', label: 'Prénom', type: 'string' as const }] }];
    spec
      .given([])
      .when({ type: 'CreateCampaign', id: 'c2', settings, copiedFrom: 'c1', layouts, profileIds: ['p1'] })
      .then([
        { type: 'CampaignCreated', data: { id: 'c2', copiedFrom: 'c1', ...settings } },
        { type: 'TargetLayoutsDefined', data: { layouts } },
        { type: 'CampaignProfilesAssigned', data: { profileIds: ['p1'] } },
      ]);
  });

  it('records how many targets emptying cancelled', () => {
    spec
      .given([created])
      .when({ type: 'RecordCampaignEmptied', removed: 3 })
      .then([{ type: 'CampaignEmptied', data: { removed: 3 } }]);
  });

  it('refuses to empty a campaign that does not exist', () => {
    spec.given([]).when({ type: 'RecordCampaignEmptied', removed: 0 }).thenThrows('CAMPAIGN.NOT_FOUND');
  });
});

describe('campaign decider, commands on a campaign that does not exist', () => {
  const deleted = { type: 'CampaignDeleted' as const, data: { id: 'c1' } };
  const layouts = [{ name: 'relance', fields: [{ key: 'firstName', label: 'Prénom', type: 'string' as const }] }];

  it.each([
    ['never created', []],
    ['deleted', [created, deleted]],
  ] as const)('rejects a settings change when the campaign was %s', (_, history) => {
    spec
      .given(history)
      .when({ type: 'ChangeCampaignSettings', changes: { name: 'Relance 2' } })
      .thenThrows('CAMPAIGN.NOT_FOUND');
  });

  it.each([
    ['never created', []],
    ['deleted', [created, deleted]],
  ] as const)('rejects a deletion when the campaign was %s', (_, history) => {
    spec.given(history).when({ type: 'DeleteCampaign' }).thenThrows('CAMPAIGN.NOT_FOUND');
  });

  it('rejects assigning profiles', () => {
    spec
      .given([])
      .when({ type: 'AssignCampaignProfiles', profileIds: ['p1'] })
      .thenThrows('CAMPAIGN.NOT_FOUND');
  });

  it('rejects defining target layouts', () => {
    spec
      .given([])
      .when({ type: 'DefineTargetLayouts', layouts, templatePlaceholders: ['firstName'] })
      .thenThrows('CAMPAIGN.NOT_FOUND');
  });
});

describe('campaign decider, a new template and pending targets', () => {
  const change = (unfilledPlaceholders: Array<{ key: string; pendingTargets: number }>) => ({
    type: 'ChangeCampaignSettings' as const,
    changes: { templateId: 'template-2' },
    templatePlaceholders: ['firstName', 'amount'],
    unfilledPlaceholders,
  });

  it('rejects a template whose placeholders pending targets lack, with 409', () => {
    const decide = spec.given([created]).when(
      change([
        { key: 'firstName', pendingTargets: 1 },
        { key: 'amount', pendingTargets: 3 },
      ]),
    ).result;

    expect(decide).toThrow(expect.objectContaining({ code: 'CAMPAIGN.TARGET_VALUES_MISSING', kind: 'CONFLICT' }));
    expect(decide).toThrow(
      "templateId 'template-2' uses placeholders that pending targets have no value for: {{firstName}} (1 target), {{amount}} (3 targets)",
    );
    expect(decide).toThrow(expect.objectContaining({ details: [expect.objectContaining({ field: 'templateId', value: 'template-2' })] }));
  });

  it('accepts the template when every pending target has the values', () => {
    spec
      .given([created])
      .when(change([{ key: 'amount', pendingTargets: 0 }]))
      .then([{ type: 'CampaignSettingsChanged', data: { changed: ['templateId'], settings: { ...settings, templateId: 'template-2' } } }]);
  });

  it('reports uncovered layout fields before pending targets', () => {
    const layouts = [{ name: 'relance', fields: [{ key: 'firstName', label: 'Prénom', type: 'string' as const }] }];
    spec
      .given([created, { type: 'TargetLayoutsDefined', data: { layouts } }])
      .when(change([{ key: 'amount', pendingTargets: 2 }]))
      .thenThrows('CAMPAIGN.TEMPLATE_NOT_COVERED');
  });

  it('ignores pending targets when the template stays the same', () => {
    spec
      .given([created])
      .when({ ...change([{ key: 'amount', pendingTargets: 2 }]), changes: { templateId: 'template-1', name: 'Relance 2' } })
      .then([{ type: 'CampaignSettingsChanged', data: { changed: ['name'], settings: { ...settings, name: 'Relance 2' } } }]);
  });
});
