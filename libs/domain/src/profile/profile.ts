import { assertNever, Decider, DomainEvent } from '../shared/decider';
import { DomainError } from '../shared/domain-error';

/**
 * A profile groups advisors. A campaign is assigned to profiles, and an advisor may switch it
 * from the Banner when it is assigned to one of their profiles that allows "manage campaign".
 */
export type ProfileCreated = DomainEvent<'ProfileCreated', { id: string; name: string; manageCampaign: boolean }>;
export type ProfileChanged = DomainEvent<'ProfileChanged', { name: string; manageCampaign: boolean }>;
export type ProfileEvent = ProfileCreated | ProfileChanged;

export type CreateProfile = { type: 'CreateProfile'; id: string; name: string; manageCampaign: boolean };
export type ChangeProfile = { type: 'ChangeProfile'; name?: string; manageCampaign?: boolean };
export type ProfileCommand = CreateProfile | ChangeProfile;

export type ProfileState = { exists: false } | { exists: true; id: string; name: string; manageCampaign: boolean };

export const profileDecider: Decider<ProfileState, ProfileCommand, ProfileEvent> = {
  initialState: () => ({ exists: false }),

  evolve: (state, event) => {
    switch (event.type) {
      case 'ProfileCreated':
        return { exists: true, ...event.data };
      case 'ProfileChanged':
        return state.exists ? { ...state, ...event.data } : state;
      default:
        return assertNever(event);
    }
  },

  decide: (command, state) => {
    switch (command.type) {
      case 'CreateProfile': {
        if (state.exists) {
          throw DomainError.conflict('PROFILE.ALREADY_EXISTS', `profile '${command.id}' already exists`);
        }
        const { id, name, manageCampaign } = command;
        return [{ type: 'ProfileCreated', data: { id, name, manageCampaign } }];
      }
      case 'ChangeProfile': {
        if (!state.exists) {
          throw DomainError.notFound('PROFILE.NOT_FOUND', 'profile', '?');
        }
        const name = command.name ?? state.name;
        const manageCampaign = command.manageCampaign ?? state.manageCampaign;
        const unchanged = name === state.name && manageCampaign === state.manageCampaign;
        return unchanged ? [] : [{ type: 'ProfileChanged', data: { name, manageCampaign } }];
      }
      default:
        return assertNever(command);
    }
  },
};
