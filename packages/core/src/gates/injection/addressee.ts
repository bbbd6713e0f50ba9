/** Words that name the AI reading a text, shared by the rules that look for text addressed to it. */
export const ADDRESSEE = 'ai|agent|agents|assistant|assistants|llm|llms|model|models|chatbot|bot|bots|gpt|claude|copilot';
