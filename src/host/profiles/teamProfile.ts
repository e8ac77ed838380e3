// A "Team archive service" profile: which service, which corp, and the user's API key (in
// SecretStorage). The archive service keeps and syncs the corp; this window only reads it.
import { ArchiveError } from '../../core/archive/errors';
import type { TeamArchiveOptions } from '../../core/archive/teamArchive';
import { phrase } from '../../shared/text';
import { isTeamProfile } from './profile';
import type { ProfileStore } from './profileStore';

/** The team archive options of a profile, or undefined when the profile keeps a local archive. */
export async function teamArchiveOptions(profiles: ProfileStore, profileId: string): Promise<TeamArchiveOptions | undefined> {
  const profile = profiles.get(profileId);
  if (!profile || !isTeamProfile(profile)) return undefined;
  const apiKey = await profiles.getSecret(profileId, 'teamApiKey');
  if (!profile.teamUrl || !apiKey) {
    throw new ArchiveError('SERVICE', `profile ${profileId} has no team service URL or API key`, {
      userMessage: phrase('The profile "{0}" has no team archive service URL or API key. Add them with "Edit Profile".', profile.name),
    });
  }
  return { baseUrl: profile.teamUrl, apiKey, corpId: profile.corpId };
}
