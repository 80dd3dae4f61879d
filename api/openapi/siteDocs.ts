import { siteTreeSchema } from '../routes/site.ts';
import { commonErrors, type RouteDoc } from './common.ts';

/** The site's tree (organization → buildings → areas → meters), read-only. */
export function siteDocs(): RouteDoc[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/site/tree',
      operationId: 'getSiteTree',
      summary: {
        zh: '组织、建筑、区域与计量表的树',
        en: 'The tree of organization, buildings, areas and meters',
      },
      tag: 'readings',
      query: {},
      responses: {
        200: {
          description:
            'The organization with its buildings (floor area and headcount in effect today), their areas and meters',
          schema: siteTreeSchema,
        },
      },
      errors: [...commonErrors, 503],
    },
  ];
}
