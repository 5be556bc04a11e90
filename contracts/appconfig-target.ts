/** Where a deployed configuration lives in AWS AppConfig: read by the data plane and the control plane. */
export interface AppConfigTarget {
  application: string;
  environment: string;
  profile: string;
}
