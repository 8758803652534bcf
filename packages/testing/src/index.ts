// Helpers for integration and end-to-end tests: each starts a real server,
// isolated on free ports in its own temp dir, and cleaned up by stop()/drop().
export { selfSignedCertificate, type SelfSignedPair } from './certificates.js';
export { startDovecot, type DovecotServer, type MailUser } from './dovecot.js';
export { startNats, type NatsServerOptions, type NatsTestServer } from './nats.js';
export { startOAuthProvider, type OAuthTestProvider, type OAuthTestClient, type OAuthProviderOptions, type Introspection } from './oauth-provider.js';
export { startSmtpServer, type ReceivedMail, type SmtpTestServer, type SmtpServerOptions } from './smtp.js';
export { createTestDatabase, type TestDatabase } from './postgres.js';
export { freePort, waitForPort } from './ports.js';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
export { startLineServer, type LineServer } from './line-server.js';
export { startLockedNats, NATS_USERS, type LockedNatsServer, type NatsUser } from './locked-nats.js';
export { startLockedNatsCluster, type LockedNatsCluster, type NatsClusterNode, type StreamPlacement } from './nats-cluster.js';
export { eventually } from './wait.js';
export { consumerDrained } from './drained.js';
export { MAIL_CORPUS_DIR } from './mail-corpus.js';
export {
  startConsole,
  startServiceProcess,
  startServices,
  SERVICE_NAMES,
  type RunningServices,
  type ServiceName,
  type ServiceProcess,
} from './service-processes.js';
export { startChannelStack, PROJECT, SUPPORT, SMTP_USER, type ChannelStack, type ChannelStackOptions, type ApiResponse } from './channel-stack.js';
