declare module 'asl-validator' {
  const validate: (definition: unknown) => {
    isValid: boolean;
    errors: Array<{ message?: string }>;
    errorsText(separator?: string): string;
  };
  export default validate;
}
