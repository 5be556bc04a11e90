/** The auto-context field several tests and benchmarks configure: the device type from the User-Agent. */
export const deviceTypeFromUserAgent = {
  deviceType: {
    type: 'string',
    default: 'Desktop',
    rules: [
      {
        type: 'header-value',
        header: 'user-agent',
        valueMappings: [{ operator: 'contains', value: 'iPhone', mapTo: 'Phone' }],
      },
    ],
  },
};
