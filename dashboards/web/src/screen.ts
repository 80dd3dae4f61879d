import type { Component } from 'vue';
import type { Role } from './session';

/**
 * What a screen folder tells the router and the menu (`screens/<screen>/route.ts` exports `screen`):
 * the console finds every screen by this file, so a new screen is one folder and touches no shared file.
 */
export interface ScreenRoute {
  /** The URL path, e.g. `/overview`. */
  path: string;
  /** The route's name, the screen folder's name. */
  name: string;
  /** The i18n key of its title (menu and page heading). */
  title: string;
  /** Menu group: energy (officers), operations (engineers), admin. */
  group: 'energy' | 'operations' | 'admin';
  /** Order in the menu. */
  order: number;
  /** Roles that see it; the API decides every call anyway. */
  roles: readonly Role[];
  /** An Element Plus icon component. */
  icon?: Component;
  /** The start page for these roles. */
  homeFor?: readonly Role[];
  /** Not in the menu (a detail page reached from another screen). */
  hidden?: boolean;
  component: () => Promise<Component | { default: Component }>;
}

export const everyone: readonly Role[] = ['admin', 'engineer', 'officer', 'viewer'];
