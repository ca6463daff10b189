// The package's entry point (package.json "exports"): what a CDK app gets from `glacier-sweeper`.
// Every construct the package offers is exported here, with the types its props and members name.
export type { ParamKey } from '../lambda/core/defaults';
export type { Action, Notify } from '../lambda/core/types';
export type { AlarmKey } from './constructs/alarms';
export { GlacierSweeper } from './constructs/glacier-sweeper';
export type { GlacierSweeperProps } from './constructs/glacier-sweeper-props';
