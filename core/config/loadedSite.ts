import type { DeviceProfile } from '../profiles/profileSchema.ts';
import type { ConnectionConfig, SiteConfig } from './siteSchema.ts';

/** A validated site with every referenced profile loaded. */
export interface LoadedSite {
  file: string;
  config: SiteConfig;
  /** Profiles by the device's `profile:` value: a reference (`modbus/eastron/sdm630`) or a file path. */
  profiles: Map<string, DeviceProfile>;
  /** Every device of every gateway, with the gateway and connection that own it. */
  devices: Map<
    string,
    {
      device: ConnectionConfig['devices'][number];
      gatewayId: string;
      connectionId: string;
      profile: DeviceProfile;
    }
  >;
  /** Things worth telling the user that do not stop the site, e.g. a site profile shadowing a bundled one. */
  warnings?: string[];
}
