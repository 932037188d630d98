import { deciderSpec } from '../shared/decider-spec';
import { ProfileCreated, profileDecider } from './profile';

const created: ProfileCreated = { type: 'ProfileCreated', data: { id: 'p1', name: 'Recouvrement', manageCampaign: true } };
const spec = deciderSpec(profileDecider);

describe('profile decider', () => {
  it('creates a profile once', () => {
    spec.given([]).when({ type: 'CreateProfile', id: 'p1', name: 'Recouvrement', manageCampaign: true }).then([created]);
    spec.given([created]).when({ type: 'CreateProfile', id: 'p1', name: 'X', manageCampaign: false }).thenThrows('PROFILE.ALREADY_EXISTS');
  });

  it('records a change with the whole new state', () => {
    spec
      .given([created])
      .when({ type: 'ChangeProfile', manageCampaign: false })
      .then([{ type: 'ProfileChanged', data: { name: 'Recouvrement', manageCampaign: false } }]);
  });

  it('records nothing for a change to the same values', () => {
    spec.given([created]).when({ type: 'ChangeProfile', name: 'Recouvrement' }).then([]);
  });

  it('rejects a change of a missing profile', () => {
    spec.given([]).when({ type: 'ChangeProfile', name: 'X' }).thenThrows('PROFILE.NOT_FOUND');
  });
});
