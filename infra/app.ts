import { App } from 'aws-cdk-lib';
import { buildSweeperApp } from './sweeper-app';

buildSweeperApp(new App());
