import { z } from 'zod';
import { durationSchema } from '../../duration.ts';
import { slugSchema } from '../../ids.ts';
import { staleAfterSchema, stalePointsSchema } from '../common.ts';

/**
 * The site file's OPC UA connections (`protocol: opcua`) and their devices. Documented, with
 * defaults, in gateway/protocols/opcua/README.md (checked against this schema).
 */
export const opcuaDeviceSchema = z
  .object({
    id: slugSchema.describe('Device id, unique in the site; becomes the `device` tag'),
    name: z.string().optional().describe('Human label shown in the console, e.g. 一至三层 办公区 空调'),
    profile: z
      .string()
      .min(1)
      .describe(
        'OPC UA node-map profile: a reference, e.g. opcua/jieneng/hvac-zone, or a file relative to the site file',
      ),
    object: z
      .string()
      .min(1)
      .describe(
        'Equipment object path that fills {object} in the profile’s node templates, e.g. zonghe-lou.f1-3',
      ),
    stale_after: staleAfterSchema,
    stale_points: stalePointsSchema,
  })
  .strict();

export const opcuaConnectionSchema = z
  .object({
    id: slugSchema,
    protocol: z.literal('opcua'),
    endpoint: z
      .string()
      .regex(/^opc\.tcp:\/\//, 'an opc.tcp:// endpoint URL')
      .describe('Server endpoint, e.g. opc.tcp://127.0.0.1:48400/jieneng'),
    security_mode: z.enum(['None', 'Sign', 'SignAndEncrypt']).default('None'),
    security_policy: z.enum(['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep']).default('None'),
    sampling_interval: durationSchema
      .prefault('1s')
      .describe('How often the server samples each monitored variable'),
    publishing_interval: durationSchema.prefault('1s').describe('How often the server sends the changes'),
    silence_after: durationSchema
      .optional()
      .describe(
        'A subscription from which no data change has come for this long — not even of the server’s CurrentTime (ns=0;i=2258), which changes every second — is taken as dead although the session lives: logged, its devices offline, deleted and created again (default 3 × publishing_interval + 5s; keep it above publishing_interval + 1s)',
      ),
    mode: z
      .enum(['subscription', 'polling'])
      .default('subscription')
      .describe(
        'subscription: monitored items report changes; polling: Read every poll_interval (for servers without subscriptions; also the automatic fallback when the server refuses to create one)',
      ),
    poll_interval: durationSchema.prefault('5s').describe('Read period in polling mode'),
    trusted_certificates: z
      .string()
      .optional()
      .describe(
        'PKI folder of the gateway’s OPC UA client (default <data-dir>/pki/opcua-client); a server certificate is accepted only once it is in <folder>/trusted/certs — an unknown one is stored in <folder>/rejected and the connection refused',
      ),
    devices: z.array(opcuaDeviceSchema).min(1),
  })
  .strict();

export type OpcuaConnection = z.infer<typeof opcuaConnectionSchema>;
export type OpcuaDeviceConfig = z.infer<typeof opcuaDeviceSchema>;
