// The package's entry point (package.json "exports"): what a CDK app gets from `glacier-sweeper`.
// Every construct the package offers is exported here, with the types its props and members name.
export type { ParamKey } from '../lambda/core/defaults';
export type { Action, Notify } from '../lambda/core/types';
export type { AlarmKey } from './constructs/alarms';
export type { FleetStep } from './constructs/fleet-state-machine';
export { GlacierSweeper } from './constructs/glacier-sweeper';
export {
  type FleetAlarmKey,
  GlacierSweeperFleet,
  type GlacierSweeperFleetProps,
} from './constructs/glacier-sweeper-fleet';
export type { GlacierSweeperProps } from './constructs/glacier-sweeper-props';
export { GlacierSweeperSpoke } from './constructs/glacier-sweeper-spoke';
export type { GlacierSweeperSpokeProps } from './constructs/glacier-sweeper-spoke-props';
