export const DEMO_PASSWORD = 'assay-demo';
export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-bytes-long!';
