#!/usr/bin/env node
// The CLI runs the TypeScript sources through swc, which keeps decorator metadata.
require('@swc-node/register');
require('../src/cli/main.ts');
