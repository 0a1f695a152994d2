#!/usr/bin/env node
// The CLI runs the TypeScript sources through swc, which keeps decorator metadata. swc-node
// reads tsconfig.json from the working directory unless told otherwise: point it at ours so
// the CLI works when started from anywhere.
process.env.SWC_NODE_PROJECT ??= require('node:path').join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
require('../src/cli/main.ts');
