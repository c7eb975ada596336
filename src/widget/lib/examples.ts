/** Example questions for the empty state: generic machine-learning topics the corpus covers. */
export const EXAMPLES = [
  'Which papers speed up neural architecture search?',
  'How can neural surrogates replace expensive physics simulations?',
  'What makes adversarial examples transfer between models?',
  'How is Bayesian optimization used to tune hyperparameters?',
] as const;
