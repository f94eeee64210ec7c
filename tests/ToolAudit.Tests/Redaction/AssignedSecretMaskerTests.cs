using ToolAudit.Recording;
using ToolAudit.Redaction;
using ToolAudit.Tests.Support;

namespace ToolAudit.Tests.Redaction;

public sealed class AssignedSecretMaskerTests
{
    private static AssignedSecretMasker Masker() => new(new ArgumentKeyRedactor(ToolAuditOptions.DefaultRedactedKeys));

    [Theory]
    [InlineData("Host=db;Username=app;Password=hunter2;Database=prod", "Host=db;Username=app;Password=[redacted];Database=prod")]
    [InlineData("Server=x; Pwd = s3cr3t ; Encrypt=true", "Server=x; Pwd = [redacted] ; Encrypt=true")]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=abc+d/1==;EndpointSuffix=core.windows.net", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[redacted];EndpointSuffix=core.windows.net")]
    [InlineData("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=abc+d/1Q==;EntityPath=q", "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=[redacted];EntityPath=q")]
    [InlineData("export MINIO_SECRET_KEY=x AZURE_STORAGE_ACCESS_KEY=abc123", "export MINIO_SECRET_KEY=[redacted] AZURE_STORAGE_ACCESS_KEY=[redacted]")]
    [InlineData("curl -H 'Authorization: Bot R3dAcT3d.abc-def' https://discord.com/api", "curl -H 'Authorization: [redacted]' https://discord.com/api")]
    [InlineData("Authorization: SSWS 00abcDEF123\r\nAccept: */*", "Authorization: [redacted]\r\nAccept: */*")]
    [InlineData("x-ms-authorization: SharedKey acct:abc+d/1Q== next", "x-ms-authorization: [redacted] next")]
    [InlineData("Proxy-Authorization: Zoho-oauthtoken 1000.abc.def", "Proxy-Authorization: [redacted]")]
    [InlineData("Authorization: hunter2\nnext line", "Authorization: [redacted]\nnext line")]
    [InlineData("Authorization: \"Bot abc\" rest", "Authorization: \"[redacted]\" rest")]
    [InlineData("password: hunter2 more", "password: [redacted] more")]
    [InlineData("echo 'hunter2' | docker login -u bob --password-stdin registry.io", "echo '[redacted]' | docker login -u bob --password-stdin registry.io")]
    [InlineData("cd x; echo -n s3cr3t | podman login --password-stdin r.io && ls", "cd x; echo -n [redacted] | podman login --password-stdin r.io && ls")]
    [InlineData("printf '%s' \"hunter2\" | helm registry login r.io --password-stdin", "printf '%s' \"[redacted]\" | helm registry login r.io --password-stdin")]
    [InlineData("docker login -u bob --password-stdin <<< 'hunter2'; echo done", "docker login -u bob --password-stdin <<< '[redacted]'; echo done")]
    [InlineData("req.Header.Set(\"X-Api-Key\", \"k3y\"); define('DB_PASSWORD', 'hunter2');", "req.Header.Set(\"X-Api-Key\", \"[redacted]\"); define('DB_PASSWORD', '[redacted]');")]
    [InlineData("client.DefaultRequestHeaders.Add(\"X-Api-Key\",\"abc\")", "client.DefaultRequestHeaders.Add(\"X-Api-Key\",\"[redacted]\")")]
    [InlineData("STRIPE_KEY=rk_abc123\nAPP_KEY=base64:abc/def=\nDD_APP_KEY=0a1b2c\nSORT_ORDER=asc", "STRIPE_KEY=[redacted]\nAPP_KEY=[redacted]\nDD_APP_KEY=[redacted]\nSORT_ORDER=asc")]
    [InlineData("os.environ[\"DB_PASSWORD\"] = \"hunter2\"\nprint(1)", "os.environ[\"DB_PASSWORD\"] = \"[redacted]\"\nprint(1)")]
    [InlineData("config['api_key']='abc123'; $_ENV['DB_PASS'] = \"x\";", "config['api_key']='[redacted]'; $_ENV['DB_PASS'] = \"[redacted]\";")]
    [InlineData("https://acct.blob.core.windows.net/c/b?sv=2022-11-02&ss=b&sig=abcDEF123%2Bxyz%3D&se=2025", "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&ss=b&sig=[redacted]&se=2025")]
    [InlineData("https://b.s3.amazonaws.com/k?X-Amz-Signature=abcdef0123&X-Amz-Expires=60", "https://b.s3.amazonaws.com/k?X-Amz-Signature=[redacted]&X-Amz-Expires=60")]
    [InlineData("curl -H 'Ocp-Apim-Subscription-Key: 0123abcd' https://x", "curl -H 'Ocp-Apim-Subscription-Key: [redacted]' https://x")]
    [InlineData("{\"password\" => \"hunter2\", \"n\" => 1}", "{\"password\" => \"[redacted]\", \"n\" => 1}")]
    [InlineData("$db = ['password'=>'hunter2'];", "$db = ['password'=>'[redacted]'];")]
    [InlineData("mysql -u root --password=hunter2 -h db", "mysql -u root --password=[redacted] -h db")]
    [InlineData("{\"user\": \"bob\", \"api_key\": \"abc123\", \"n\": 2}", "{\"user\": \"bob\", \"api_key\": \"[redacted]\", \"n\": 2}")]
    [InlineData("{\"db_password\":\"a\\\"b\",\"x\":1}", "{\"db_password\":\"[redacted]\",\"x\":1}")]
    [InlineData("{\\\"secret\\\":\\\"hush\\\"}", "{\\\"secret\\\":\\\"[redacted]\\\"}")]
    [InlineData("token: 12345\nnext line", "token: [redacted]\nnext line")]
    [InlineData("refreshToken='xyz'", "refreshToken='[redacted]'")]
    [InlineData("Authorization: Bearer abc.def\r\nHost: x", "Authorization: [redacted]\r\nHost: x")]
    [InlineData("Authorization: Bearer  abc.def\r\nHost: x", "Authorization: [redacted]\r\nHost: x")]
    [InlineData("Authorization: Basic\tabc", "Authorization: [redacted]")]
    [InlineData("Cookie: sid=abc; theme=dark", "Cookie: [redacted]")]
    [InlineData("Cookie: theme=dark; session_id=abc\nAccept: */*", "Cookie: [redacted]\nAccept: */*")]
    [InlineData("set-cookie: id=a3fWa; Expires=Thu, 21 Oct 2026 07:28:00 GMT; Secure\r\nVary: Origin", "set-cookie: [redacted]\r\nVary: Origin")]
    [InlineData("postgres://app:hunter2@db:5432/prod", "postgres://app:[redacted]@db:5432/prod")]
    [InlineData("clone https://bob:ghp-like-but-short@github.com/x/y.git now", "clone https://bob:[redacted]@github.com/x/y.git now")]
    [InlineData("a=1 password=p1 b=2 secret=p2", "a=1 password=[redacted] b=2 secret=[redacted]")]
    [InlineData("password=<hunter2> token=(abc)", "password=<[redacted]> token=([redacted])")]
    [InlineData("redis://default:pa/ss?w#rd@cache:6379/0", "redis://default:[redacted]@cache:6379/0")]
    [InlineData("see https://bob:s3cret@host/a?mail=x@y.z", "see https://bob:[redacted]@host/a?mail=x@y.z")]
    [InlineData("DB_PASSWORD2=hunter2 oauth2Token: abc", "DB_PASSWORD2=[redacted] oauth2Token: [redacted]")]
    [InlineData("Driver={ODBC Driver 18};Server=db;UID=app;PWD={hun;ter}}2};Encrypt=yes", "Driver={ODBC Driver 18};Server=db;UID=app;PWD={[redacted]};Encrypt=yes")]
    [InlineData("Password={hunter2}", "Password={[redacted]}")]
    [InlineData("{\"secrets\": [\"hunter2\", \"a]b\"], \"n\": 1}", "{\"secrets\": [[redacted]], \"n\": 1}")]
    [InlineData("api_keys: [\n  'k1' ,'k2' ]", "api_keys: [[redacted]]")]
    [InlineData("password=[hunter2] next", "password=[[redacted]] next")]
    [InlineData("token={cut by the window", "token={[redacted]")]
    [InlineData("mysql --user root --password hunter2 -h db", "mysql --user root --password [redacted] -h db")]
    [InlineData("deploy --api-key sk_live_x --region eu", "deploy --api-key [redacted] --region eu")]
    [InlineData("login --db-password \t\"hunter 2\" now", "login --db-password \t\"[redacted]\" now")]
    [InlineData("[\"mysql\", \"--password\", \"hunter2\", \"-h\", \"db\"]", "[\"mysql\", \"--password\", \"[redacted]\", \"-h\", \"db\"]")]
    [InlineData("{\\\"argv\\\": [\\\"--token\\\",\\\"abc\\\"]}", "{\\\"argv\\\": [\\\"--token\\\",\\\"[redacted]\\\"]}")]
    [InlineData("<password>hunter2</password>", "<password>[redacted]</password>")]
    [InlineData("<config><ApiKey>x</ApiKey><Region>eu</Region></config>", "<config><ApiKey>[redacted]</ApiKey><Region>eu</Region></config>")]
    [InlineData("<secret>\n  hunter 2\n</secret>", "<secret>\n  [redacted]\n</secret>")]
    [InlineData("<wsse:Password Type=\"http://docs.oasis-open.org/wss#PasswordText\">hunter2</wsse:Password>", "<wsse:Password Type=\"http://docs.oasis-open.org/wss#PasswordText\">[redacted]</wsse:Password>")]
    [InlineData("<password><![CDATA[a<b]]></password>", "<password><![CDATA[[redacted]]]></password>")]
    [InlineData("<user name=\"bob\" password=\"hunter2\"/>", "<user name=\"bob\" password=\"[redacted]\"/>")]
    [InlineData("<add key=\"ApiKey\" value=\"x\"/>", "<add key=\"ApiKey\" value=\"[redacted]\"/>")]
    [InlineData("<input type=\"password\" name=\"password\" value=\"hunter2\">", "<input type=\"password\" name=\"password\" value=\"[redacted]\">")]
    [InlineData("{\"name\": \"password\", \"value\": \"x\"}", "{\"name\": \"password\", \"value\": \"[redacted]\"}")]
    [InlineData("{\"Key\":\"ApiKey\",\"Value\":\"x\"}", "{\"Key\":\"ApiKey\",\"Value\":\"[redacted]\"}")]
    [InlineData("[{\"name\": \"DB_PASSWORD\",\n  \"value\": \"hunter2\"}, {\"name\": \"PORT\", \"value\": \"5432\"}]", "[{\"name\": \"DB_PASSWORD\",\n  \"value\": \"[redacted]\"}, {\"name\": \"PORT\", \"value\": \"5432\"}]")]
    [InlineData("{\"Name\": \"/prod/db/password\", \"Type\": \"SecureString\", \"Value\": \"hunter2\"}", "{\"Name\": \"/prod/db/password\", \"Type\": \"SecureString\", \"Value\": \"[redacted]\"}")]
    [InlineData("{\\\"name\\\":\\\"token\\\",\\\"value\\\":\\\"abc\\\"}", "{\\\"name\\\":\\\"token\\\",\\\"value\\\":\\\"[redacted]\\\"}")]
    [InlineData("--parameters ParameterKey=DbPassword,ParameterValue=hunter2", "--parameters ParameterKey=DbPassword,ParameterValue=[redacted]")]
    [InlineData("env:\n- name: DB_PASSWORD\n  value: hunter2\n- name: PORT\n  value: 80", "env:\n- name: DB_PASSWORD\n  value: [redacted]\n- name: PORT\n  value: 80")]
    [InlineData("{\"headers\": [{\"name\": \"Authorization\", \"value\": \"Bearer abc\"}]}", "{\"headers\": [{\"name\": \"Authorization\", \"value\": \"[redacted]\"}]}")]
    [InlineData("{\"value\": \"hunter2\", \"name\": \"password\"}", "{\"value\": \"[redacted]\", \"name\": \"password\"}")]
    [InlineData("{\"Value\": \"hunter2\", \"Type\": \"String\", \"Name\": \"/prod/db/password\"}", "{\"Value\": \"[redacted]\", \"Type\": \"String\", \"Name\": \"/prod/db/password\"}")]
    [InlineData("{\\\"value\\\":\\\"abc\\\",\\\"key\\\":\\\"api_key\\\"}", "{\\\"value\\\":\\\"[redacted]\\\",\\\"key\\\":\\\"api_key\\\"}")]
    [InlineData("env:\n- value: hunter2\n  name: DB_PASSWORD\n- value: 80\n  name: PORT", "env:\n- value: [redacted]\n  name: DB_PASSWORD\n- value: 80\n  name: PORT")]
    [InlineData("<add value=\"x\" key=\"ApiKey\"/>", "<add value=\"[redacted]\" key=\"ApiKey\"/>")]
    [InlineData("<input type=\"password\" value=\"hunter2\">", "<input type=\"password\" value=\"[redacted]\">")]
    [InlineData("<input value=\"hunter2\" type=\"password\">", "<input value=\"[redacted]\" type=\"password\">")]
    [InlineData("<input type=\"password\" name=\"pw_field\" value=\"hunter2\">", "<input type=\"password\" name=\"pw_field\" value=\"[redacted]\">")]
    [InlineData("mysql -u root -phunter2 -h db", "mysql -u root -p[redacted] -h db")]
    [InlineData("mysql -u root -p hunter2 -h db", "mysql -u root -p [redacted] -h db")]
    [InlineData("/usr/bin/mysqldump -uroot -p'hunter 2' prod > dump.sql", "/usr/bin/mysqldump -uroot -p'[redacted]' prod > dump.sql")]
    [InlineData("docker exec db mysql -phunter2", "docker exec db mysql -p[redacted]")]
    [InlineData("sshpass -p hunter2 ssh -p 2222 bob@host", "sshpass -p [redacted] ssh -p 2222 bob@host")]
    [InlineData("redis-cli -h cache -p 6379 -a hunter2 ping", "redis-cli -h cache -p 6379 -a [redacted] ping")]
    [InlineData("zip -P hunter2 out.zip a.txt && 7z x b.7z -phunter2 -y", "zip -P [redacted] out.zip a.txt && 7z x b.7z -p[redacted] -y")]
    [InlineData("[\"mysql\", \"-u\", \"root\", \"-phunter2\"]", "[\"mysql\", \"-u\", \"root\", \"-p[redacted]\"]")]
    [InlineData("['sshpass', '-p', 'hunter2', 'ssh', 'host']", "['sshpass', '-p', '[redacted]', 'ssh', 'host']")]
    [InlineData("{\\\"argv\\\": [\\\"mysql\\\", \\\"-phunter2\\\"]}", "{\\\"argv\\\": [\\\"mysql\\\", \\\"-p[redacted]\\\"]}")]
    [InlineData("passphrase=a signing_key=b ENCRYPTION_KEY=c masterKey: d session_key=e", "passphrase=[redacted] signing_key=[redacted] ENCRYPTION_KEY=[redacted] masterKey: [redacted] session_key=[redacted]")]
    [InlineData("X-Auth: abc\nauth=def basic_auth: ghi", "X-Auth: [redacted]\nauth=[redacted] basic_auth: [redacted]")]
    [InlineData("<password>hunter2", "<password>[redacted]")]
    [InlineData("curl -u alice:hunter2 https://api.example.com", "curl -u alice:[redacted] https://api.example.com")]
    [InlineData("curl -s --user alice:hunter2 -k https://x", "curl -s --user alice:[redacted] -k https://x")]
    [InlineData("curl -ualice:hunter2 https://x; curl --user=bob:s3cret https://y", "curl -ualice:[redacted] https://x; curl --user=bob:[redacted] https://y")]
    [InlineData("curl -x proxy:3128 -U bob:s3cret https://x", "curl -x proxy:3128 -U bob:[redacted] https://x")]
    [InlineData("[\"curl\", \"-u\", \"alice:hunter2\", \"https://x\"]", "[\"curl\", \"-u\", \"alice:[redacted]\", \"https://x\"]")]
    [InlineData("smbclient //srv/share -U alice%hunter2 -c ls", "smbclient //srv/share -U alice%[redacted] -c ls")]
    [InlineData("smbclient -Ualice%hunter2 //srv/share", "smbclient -Ualice%[redacted] //srv/share")]
    [InlineData("docker login -u bob -p hunter2 registry.example.com", "docker login -u bob -p [redacted] registry.example.com")]
    [InlineData("echo $PW | docker login -u bob --password-stdin registry.example.com; docker login --password hunter2 r.io", "echo $PW | docker login -u bob --password-stdin registry.example.com; docker login --password [redacted] r.io")]
    [InlineData("podman login -u bob -phunter2 quay.io && docker run -p 8080:80 app", "podman login -u bob -p[redacted] quay.io && docker run -p 8080:80 app")]
    [InlineData("helm registry login r.io -u bob -p hunter2", "helm registry login r.io -u bob -p [redacted]")]
    [InlineData("az login --service-principal -u app -p hunter2 --tenant t", "az login --service-principal -u app -p [redacted] --tenant t")]
    [InlineData("oc login -u dev -p hunter2 https://api.cluster:6443", "oc login -u dev -p [redacted] https://api.cluster:6443")]
    [InlineData("[\"docker\", \"login\", \"-u\", \"bob\", \"-p\", \"hunter2\"]", "[\"docker\", \"login\", \"-u\", \"bob\", \"-p\", \"[redacted]\"]")]
    [InlineData("openssl enc -aes-256-cbc -passin pass:hunter2 -in a", "openssl enc -aes-256-cbc -passin pass:[redacted] -in a")]
    [InlineData("openssl pkcs12 -export -passout pass:'hunter 2' -pass pass:x2", "openssl pkcs12 -export -passout pass:'[redacted]' -pass pass:[redacted]")]
    [InlineData("openssl enc -d -aes256 -k hunter2 -in a", "openssl enc -d -aes256 -k [redacted] -in a")]
    [InlineData("ldapsearch -x -D cn=admin,dc=x -w hunter2 -b dc=x", "ldapsearch -x -D cn=admin,dc=x -w [redacted] -b dc=x")]
    [InlineData("ldapmodify -D cn=admin -whunter2 -f a.ldif", "ldapmodify -D cn=admin -w[redacted] -f a.ldif")]
    [InlineData("PGPASSWORD=hunter2 psql -h db; SSHPASS=s3cret sshpass -e ssh host", "PGPASSWORD=[redacted] psql -h db; SSHPASS=[redacted] sshpass -e ssh host")]
    [InlineData("{\"dbpassword\": \"a\", \"adminpassword\": \"b\", \"clientsecret\": \"c\"}", "{\"dbpassword\": \"[redacted]\", \"adminpassword\": \"[redacted]\", \"clientsecret\": \"[redacted]\"}")]
    [InlineData("{\"Name\": \"/prod/db\", \"Type\": \"SecureString\", \"Value\": \"hunter2\", \"Version\": 1}", "{\"Name\": \"/prod/db\", \"Type\": \"SecureString\", \"Value\": \"[redacted]\", \"Version\": 1}")]
    [InlineData("{\"Value\": \"hunter2\", \"Type\": \"SecureString\"}", "{\"Value\": \"[redacted]\", \"Type\": \"SecureString\"}")]
    [InlineData("DB_PASS=hunter2 smtp_pass: s3cret dbPass='x'", "DB_PASS=[redacted] smtp_pass: [redacted] dbPass='[redacted]'")]
    [InlineData("export RCLONE_CONFIG_PASS=hunter2; app --db-pass hunter2 -v", "export RCLONE_CONFIG_PASS=[redacted]; app --db-pass [redacted] -v")]
    [InlineData("{\"SMTP_PASS\": \"hunter2\", \"port\": 25}", "{\"SMTP_PASS\": \"[redacted]\", \"port\": 25}")]
    [InlineData("ldappasswd -x -D cn=admin,dc=x -w bindpw -a oldpw -s newpw uid=bob,dc=x", "ldappasswd -x -D cn=admin,dc=x -w [redacted] -a [redacted] -s [redacted] uid=bob,dc=x")]
    [InlineData("ldappasswd -D cn=admin -wbindpw -aoldpw -snewpw", "ldappasswd -D cn=admin -w[redacted] -a[redacted] -s[redacted]")]
    [InlineData("[\"ldappasswd\", \"-a\", \"oldpw\", \"-S\", \"-s\", \"newpw\"]", "[\"ldappasswd\", \"-a\", \"[redacted]\", \"-S\", \"-s\", \"[redacted]\"]")]
    [InlineData("aws ssm put-parameter --name /prod/db --type SecureString --value hunter2 --overwrite", "aws ssm put-parameter --name /prod/db --type SecureString --value [redacted] --overwrite")]
    [InlineData("aws ssm put-parameter --value hunter2 --name /prod/db --type SecureString", "aws ssm put-parameter --value [redacted] --name /prod/db --type SecureString")]
    [InlineData("aws ssm put-parameter --name /prod/db --value=hunter2 --type=SecureString", "aws ssm put-parameter --name /prod/db --value=[redacted] --type=SecureString")]
    [InlineData("[\"aws\", \"ssm\", \"put-parameter\", \"--type\", \"SecureString\", \"--value\", \"hunter2\"]", "[\"aws\", \"ssm\", \"put-parameter\", \"--type\", \"SecureString\", \"--value\", \"[redacted]\"]")]
    [InlineData("docker --config /tmp/cfg login -u bob -p hunter2 registry.io", "docker --config /tmp/cfg login -u bob -p [redacted] registry.io")]
    [InlineData("docker -H tcp://h:2376 --tls login -u bob -p hunter2", "docker -H tcp://h:2376 --tls login -u bob -p [redacted]")]
    [InlineData("docker -H tcp://h:2376 --tls login --password hunter2 registry", "docker -H tcp://h:2376 --tls login --password [redacted] registry")]
    [InlineData("podman --remote login -p hunter2 quay.io && nerdctl --namespace k8s.io login -phunter2 r.io", "podman --remote login -p [redacted] quay.io && nerdctl --namespace k8s.io login -p[redacted] r.io")]
    [InlineData("buildah --root /var/lib/b --log-level=debug login -u bob -p hunter2 quay.io", "buildah --root /var/lib/b --log-level=debug login -u bob -p [redacted] quay.io")]
    [InlineData("[\"docker\", \"--config\", \"x\", \"login\", \"-p\", \"hunter2\"]", "[\"docker\", \"--config\", \"x\", \"login\", \"-p\", \"[redacted]\"]")]
    [InlineData("{\\\"argv\\\": [\\\"docker\\\", \\\"--config\\\", \\\"x\\\", \\\"login\\\", \\\"-p\\\", \\\"hunter2\\\"]}", "{\\\"argv\\\": [\\\"docker\\\", \\\"--config\\\", \\\"x\\\", \\\"login\\\", \\\"-p\\\", \\\"[redacted]\\\"]}")]
    [InlineData("C:\\tools\\docker.exe --config C:\\cfg login -p hunter2", "C:\\tools\\docker.exe --config C:\\cfg login -p [redacted]")]
    [InlineData("ssh-keygen -t ed25519 -N hunter2 -f k; ssh-keygen -p -P old -N new -f k", "ssh-keygen -t ed25519 -N [redacted] -f k; ssh-keygen -p -P [redacted] -N [redacted] -f k")]
    [InlineData("sqlcmd -S db -U sa -P hunter2 -Q \"select 1\"; bcp t out f -S db -U sa -Phunter2", "sqlcmd -S db -U sa -P [redacted] -Q \"select 1\"; bcp t out f -S db -U sa -P[redacted]")]
    [InlineData("keytool -importkeystore -srcstorepass a -deststorepass b -destkeypass c -storepass:env PW", "keytool -importkeystore -srcstorepass [redacted] -deststorepass [redacted] -destkeypass [redacted] -storepass:env PW")]
    [InlineData("keytool -storepasswd -new n2 -storepass n1; jarsigner -storepass s app.jar alias", "keytool -storepasswd -new [redacted] -storepass [redacted]; jarsigner -storepass [redacted] app.jar alias")]
    [InlineData("redis-cli -h db --pass hunter2 ping", "redis-cli -h db --pass [redacted] ping")]
    [InlineData("psql -c \"ALTER USER app WITH ENCRYPTED PASSWORD 'it''s 2';\"", "psql -c \"ALTER USER app WITH ENCRYPTED PASSWORD '[redacted]';\"")]
    [InlineData("CREATE ROLE app LOGIN PASSWORD 'x1' VALID UNTIL '2030-01-01'", "CREATE ROLE app LOGIN PASSWORD '[redacted]' VALID UNTIL '2030-01-01'")]
    [InlineData("CREATE USER 'a'@'%' IDENTIFIED BY 'hunter2'; ALTER USER b IDENTIFIED BY 'x y'", "CREATE USER 'a'@'%' IDENTIFIED BY '[redacted]'; ALTER USER b IDENTIFIED BY '[redacted]'")]
    [InlineData("create user 'a'@'%' identified with caching_sha2_password by 'hunter2'", "create user 'a'@'%' identified with caching_sha2_password by '[redacted]'")]
    [InlineData("$pw = ConvertTo-SecureString \"P@ss\" -AsPlainText -Force", "$pw = ConvertTo-SecureString \"[redacted]\" -AsPlainText -Force")]
    [InlineData("New-Object PSCredential('bob', (ConvertTo-SecureString -String 'P@ss' -AsPlainText -Force))", "New-Object PSCredential('bob', (ConvertTo-SecureString -String '[redacted]' -AsPlainText -Force))")]
    [InlineData("$c = ConvertTo-SecureString -AsPlainText -Force \"P@ss\"; ConvertTo-SecureString -Force -AsPlainText -String 'x 2'", "$c = ConvertTo-SecureString -AsPlainText -Force \"[redacted]\"; ConvertTo-SecureString -Force -AsPlainText -String '[redacted]'")]
    [InlineData("ConvertTo-SecureString -AsPlainText:$true -Force P@ss; x", "ConvertTo-SecureString -AsPlainText:$true -Force [redacted]; x")]
    [InlineData("my %db = (user => 'app', password => 'hunter2', port => 5432);", "my %db = (user => 'app', password => '[redacted]', port => 5432);")]
    [InlineData("{:user => \"app\", :password => \"hunter 2\", :api_key=>'k1'}", "{:user => \"app\", :password => \"[redacted]\", :api_key=>'[redacted]'}")]
    [InlineData("gh secret set API_KEY --body \"s3 cr3t\" --repo o/r; gh secret set X --repo o/r -b abc123 --env prod", "gh secret set API_KEY --body \"[redacted]\" --repo o/r; gh secret set X --repo o/r -b [redacted] --env prod")]
    [InlineData("gh secret set DEPLOY --org acme --body=abc; /usr/bin/gh secrets set Y -b 'q r'", "gh secret set DEPLOY --org acme --body=[redacted]; /usr/bin/gh secrets set Y -b '[redacted]'")]
    [InlineData("fly secrets set DATABASE_URL=\"postgres://u:p@h/db\" SESSION=abc -a app && fly deploy", "fly secrets set DATABASE_URL=[redacted] -a app && fly deploy")]
    [InlineData("flyctl secrets set FOO=bar; doppler secrets set API_URL='x y' --project p", "flyctl secrets set FOO=[redacted]; doppler secrets set API_URL='[redacted]' --project p")]
    [InlineData("dotnet user-secrets set \"Db:Password\" \"hunter 2\" --project app", "dotnet user-secrets set \"Db:Password\" \"[redacted]\" --project app")]
    [InlineData("dotnet user-secrets set Smtp:ApiKey abc123; dotnet user-secrets set Db:Host db", "dotnet user-secrets set Smtp:ApiKey [redacted]; dotnet user-secrets set Db:Host db")]
    [InlineData("aws configure set aws_secret_access_key wJalr/K7M && aws configure set region eu", "aws configure set aws_secret_access_key [redacted] && aws configure set region eu")]
    [InlineData("yarn config set npmAuthToken abc123\nnpm config set //registry.npmjs.org/:_authToken \"x y\"", "yarn config set npmAuthToken [redacted]\nnpm config set //registry.npmjs.org/:_authToken \"[redacted]\"")]
    [InlineData("redis CONFIG SET masterauth s3cr3t; git  Config  Set  \"api_key\"  k1", "redis CONFIG SET masterauth [redacted]; git  Config  Set  \"api_key\"  [redacted]")]
    [InlineData("docker run -d redis:7 redis-server --requirepass s3cr3t --port 6380; redis-cli CONFIG SET requirepass \"n3w pw\"", "docker run -d redis:7 redis-server --requirepass [redacted] --port 6380; redis-cli CONFIG SET requirepass \"[redacted]\"")]
    [InlineData("verify: {\"passcode\": \"492817\", \"user\": \"bob\"}", "verify: {\"passcode\": \"[redacted]\", \"user\": \"bob\"}")]
    [InlineData("GET https://id.example/login?next=%2Fcb%3Ftoken%3Dabc123%26state%3D9&lang=en", "GET https://id.example/login?next=%2Fcb%3Ftoken%3D[redacted]&lang=en")]
    [InlineData("redirect_uri=https%3A%2F%2Fapp%2Fcb%3Fmode%3D1%26api_key%3Dk-42 done", "redirect_uri=https%3A%2F%2Fapp%2Fcb%3Fmode%3D1%26api_key%3D[redacted] done")]
    [InlineData("q=a%3fPassword%3dhunter2", "q=a%3fPassword%3d[redacted]")]
    [InlineData("password := \"G0Sh0rtPw\"\napiKey := os.Getenv(\"K\") // and API_KEY ?= Ap1K3yMk, TOKEN += t0k3n", "password := \"[redacted]\"\napiKey := [redacted](\"K\") // and API_KEY ?= [redacted], TOKEN += [redacted]")]
    [InlineData("{\"dependencies\": {\"next-auth\": \"^4.24.5\", \"cookie\": \"0.6.0\"}, \"auth\": \"0.6.0x\"}", "{\"dependencies\": {\"next-auth\": \"^4.24.5\", \"cookie\": \"0.6.0\"}, \"auth\": \"[redacted]\"}")]
    [InlineData("{\"promptTokenCount\": 512, \"token_type\": \"Bearer\", \"access_token\": \"ya29.abc\", \"expires_in\": 3599}", "{\"promptTokenCount\": 512, \"token_type\": \"Bearer\", \"access_token\": \"[redacted]\", \"expires_in\": 3599}")]
    [InlineData("Invoke-Sqlcmd -ServerInstance db -Password 'P0shSqlPw' -Query q; nuget push a.nupkg -ApiKey oy2abc -Source s; consul kv get -token C0nsulT0k x", "Invoke-Sqlcmd -ServerInstance db -Password '[redacted]' -Query q; nuget push a.nupkg -ApiKey [redacted] -Source s; consul kv get -token [redacted] x")]
    [InlineData("ngrok.yml: authtoken: 2ngr0kT0k; tailscale up --authkey=tskey-auth-k1; {\"identitytoken\": \"eyJx\", \"AccessToken\": \"a1\"}", "ngrok.yml: authtoken: [redacted]; tailscale up --authkey=[redacted]; {\"identitytoken\": \"[redacted]\", \"AccessToken\": \"[redacted]\"}")]
    [InlineData("{\"API Key\": \"k-123\", \"Private Key\": \"MIIEv\", \"Sort Key\": \"id\"}\nAWS Secret Access Key: wJalrXUt\nsettings: api key: abc9", "{\"API Key\": \"[redacted]\", \"Private Key\": \"[redacted]\", \"Sort Key\": \"id\"}\nAWS Secret Access Key: [redacted]\nsettings: api key: [redacted]")]
    [InlineData("$ grep -r . /run/secrets\n/run/secrets/db_password:hunter2\nsecrets/token.txt:abc123\nconf/auth.yaml:s3cr3t\n/run/secrets/pin_password:1234\n/s/api_token:latest", "$ grep -r . /run/secrets\n/run/secrets/db_password:[redacted]\nsecrets/token.txt:[redacted]\nconf/auth.yaml:[redacted]\n/run/secrets/pin_password:[redacted]\n/s/api_token:[redacted]")]
    [InlineData("password=19.07.1985 token: 12.34-abcdEFGH --password 1.2.3 {\"apiKey\": \"20240101.123456\"} x%25password%3Dhunter2", "password=[redacted] token: [redacted] --password [redacted] {\"apiKey\": \"[redacted]\"} x%25password%3D[redacted]")]
    [InlineData("{\"user\":\"bob\",\"pass\":\"hunter2\"}; mount -o user=bob,pass=s3cr3t //srv/x; GET /api?user=bob&PASS=abc9&x=1\npass = rcl0ne", "{\"user\":\"bob\",\"pass\":\"[redacted]\"}; mount -o user=bob,pass=[redacted] //srv/x; GET /api?user=bob&PASS=[redacted]&x=1\npass = [redacted]")]
    [InlineData("db:\n  password: !!str 123456\n  api_key: &k k-42\n  token: !secret t0k3n\n  secret: !Passw0rd x\n  passphrase: !!str\n", "db:\n  password: !!str [redacted]\n  api_key: &k [redacted]\n  token: !secret [redacted]\n  secret: [redacted] x\n  passphrase: [redacted]\n")]
    [InlineData("GET /sso?r=%2Fauth%3Fnext%3D%252Fcb%253Ftoken%253Dabc123%2526s%253D1&lang=en", "GET /sso?r=%2Fauth%3Fnext%3D%252Fcb%253Ftoken%253D[redacted]&lang=en")]
    [InlineData("body=%7B%22user%22%3A%22bob%22%2C%22password%22%3A%22hunter2%22%7D&x=1", "body=%7B%22user%22%3A%22bob%22%2C%22password%22%3A[redacted]&x=1")]
    [InlineData("q=token%20%3Dabc&u=%22api_key%22%3Dk-42&x=1", "q=token%20%3D[redacted]&u=%22api_key%22%3D[redacted]&x=1")]
    [InlineData("login --passcode 8842 --aws-creds ak:sk --privkey MIIEv", "login --passcode [redacted] --aws-creds [redacted] --privkey [redacted]")]
    public void Mask_SecretNamedValuesAndUrlPasswords_AreMaskedAndTheRestKept(string text, string expected)
    {
        var masker = Masker();

        masker.ContainsSecret(text).Should().BeTrue();
        masker.Mask(text).Should().Be(expected);
    }

    [Theory]
    [InlineData("max_tokens: 200, temperature=0.2")]
    [InlineData("https://github.com/dotnet/runtime and http://user@host/ (no password)")]
    [InlineData("https://host/path?mail=a@b.c and https://host:8080/x@y")]
    [InlineData("{\"password\": null, \"token\": true}")]
    [InlineData("{\"credentials\": {\"user\": \"bob\"}}")]
    [InlineData("{\"credentials\": [{\"user\": \"bob\"}], \"secrets\": [], \"token\": {\n\"v\": 1}}")]
    [InlineData("{'password': {'v': 1}} Authorization: [redacted]")]
    [InlineData("x => y == z; a := b")]
    [InlineData("password reset sent to bob")]
    [InlineData("generate --tokens 200 --max-tokens 100 -p hunter2")]
    [InlineData("mysql --password --verbose; pg_dump --no-password mydb; a -- password b")]
    [InlineData("<tokens>5</tokens> <password></password> <password/> </password> x")]
    [InlineData("<credentials>\n  <user>bob</user>\n</credentials>")]
    [InlineData("{\"name\": \"max_tokens\", \"value\": 200} {\"name\": \"PORT\", \"value\": \"5432\"}")]
    [InlineData("{\"name\": \"password\", \"value\": null} {\"value\": \"x\"}")]
    [InlineData("{\"value\": \"5432\", \"name\": \"PORT\"} {\"value\": \"x\", \"type\": \"string\", \"name\": \"max_tokens\"}")]
    [InlineData("{\"value\": \"x\"}, {\"name\": \"password\"} <input type=\"text\" value=\"bob\">")]
    [InlineData("ssh -p 2222 bob@host; docker run -p 8080:80 mysql; redis-cli -p 6379 ping; mysql -P 3306 -h db")]
    [InlineData("ls -a /tmp && mkdir -p /tmp/x; python -m http.server -p 8000; mysql -u root -p --verbose")]
    [InlineData("sshpass -f ~/.pw ssh -p 2222 host")]
    [InlineData("mysql --password-file /run/secrets/db --passwordfile=/x --token-file ~/.tok")]
    [InlineData("POSTGRES_PASSWORD_FILE=/run/secrets/pg TOKEN_PATH=/var/tok secrets_dir: /etc/secrets")]
    [InlineData("Enter <password> to log in, then click <b>OK</b>. Usage: login <user> <password> now, then exit")]
    [InlineData("author: Bob, authority=ca.example.com, oauth_provider: github, OAuthProvider=github, authenticated: yes")]
    [InlineData("curl -u alice https://x -k -w '%{http_code}'; docker run -u 1000:1000 -p 8080:80 app; smbclient -U alice //srv/x")]
    [InlineData("openssl enc -passin env:PW -passout file:/run/pw -kfile /etc/k -pass stdin; ldapsearch -W -x -H ldap://db:389")]
    [InlineData("docker run -p 5000:5000 app login -p 22; ssh login -p 2222 host; az vm open-port -p 80")]
    [InlineData("{\"Name\": \"/prod/db\", \"Type\": \"String\", \"Value\": \"db.internal\"} maxtoken=5 OLDPWD=/home/bob")]
    [InlineData("")]
    [InlineData("pass=1 --pass x; git commit -m 'first pass: ok' PASS: 3 pass_through=yes DB_PASS_FILE=/run/s")]
    [InlineData("ldapsearch -x -a always -s sub -b dc=x; ldappasswd -S -A -W uid=bob; curl -s https://x")]
    [InlineData("aws ssm put-parameter --name /x --type String --value db.internal; app --value 5 --type secure")]
    [InlineData("docker x login -p 22; docker --debug run -p 80:80 app; docker --config x run login -p 2")]
    [InlineData("users.Select(password => Hash(password)); signal=5 signature=int Add(int a) AccountName=acct")]
    [InlineData("os.environ['PASSWORD'] = os.getenv('X'); print('password', n); kubectl -n prod get pods -d")]
    [InlineData("cat pw.txt | docker login --password-stdin r.io; echo ok || docker login --password-stdin r.io; printf '%s' \"$PW\" | docker login --password-stdin r; docker login --password-stdin r <<< \"$PW\"")]
    [InlineData("echo hi | tee log; docker login --password-stdin registry.io")]
    [InlineData("fields = ('password', 'email'); [\"X-Api-Key\", \"X-Trace\"]; f(\"X-Api-Key\"); g('password_file', '/run/secrets/db')")]
    [InlineData("if os.environ[\"TOKEN\"] == \"x\": headers[\"Authorization\"] = f\"Bearer {token}\"; ENV[\"TOKEN\"] = fetch()")]
    [InlineData("SELECT * FROM users WHERE name = 'bob' AND status = 'ok'; -- identified by nothing; identity 'x'")]
    [InlineData("ssh-keygen -l -f key.pub; docker run -d -n 5 app; ConvertTo-SecureString -AsPlainText; keytool -list -v")]
    [InlineData("dotnet user-secrets set Db:PasswordFile /run/secrets/db; dotnet user-secrets set Db:Password --help; reset Db:Password x")]
    [InlineData("$pw | ConvertTo-SecureString -AsPlainText -Force | Out-File x; $pw | ConvertTo-SecureString -AsPlainText -Force\n$c = 1")]
    [InlineData("ConvertTo-SecureString -Key $key -String $enc; ConvertTo-SecureString -AsPlainText -Force -Verbose")]
    [InlineData("list.Where(password => password.Length > 8); var f = token => token.Trim();")]
    [InlineData("gh secret list -R o/r; gh secret set NAME < key.txt -R o/r; gh secret set X --body-file f -R o/r; keep a secret set aside -b x")]
    [InlineData("fly secrets set --stage -a app; fly secrets list -a x; doppler secrets set NAME -p p; my secrets set FOO=bar -a x")]
    [InlineData("aws configure set region us-east-1")]
    [InlineData("reconfig set password x")]
    [InlineData("configset password y")]
    [InlineData("we set the password policy; config set password")]
    [InlineData("aws configure get aws_secret_access_key; configure reset token x; config set password_file /run/secrets/db; config set token --help")]
    [InlineData("creditor=acme; privacy: strict; passage: 3")]
    [InlineData("next=%2Fcb%3Fmode%3Dtoken%26x%3D1; 100%3D 50%25 off; max%3Dtoken")]
    [InlineData("path=%2Ftoken%3Aintrospect; note=%22token%22%2C%22x%22; a%2520token%2520b; token%25")]
    [InlineData("docker pull ghcr.io/acme/auth-service:v1.4.2 && curl http://token-service:8080/healthz redis://auth-cache:6379/0 image: acme/auth:latest")]
    [InlineData("FAILED tests/test_auth.py::TestLogin::test_refresh - src/auth.go:42:5: undefined; lib/token.ts:12:5")]
    [InlineData("pip install google-auth==2.23.0 django-auth-ldap==4.6.0; if password == \"\": fail")]
    [InlineData("ssh-keygen -t rsa; find . -name token.txt -type f; grep -rn -e secret src; Start-Process -NoNewWindow -Wait x")]
    [InlineData("tests: pass=10 fail=2 skip=0; {\"pass\": true, \"pass\": 3}; we pass the token on; --pass")]
    [InlineData("Primary Key: id; Public Key: ssh-rsa AAAAB3; Partition Key: pk; Foreign Key: user_id; key: value; The Key: x")]
    [InlineData("kubectl get secret -o yaml: secretName: app-example-tls, --secret-arn arn:aws:sm:x, SecretArn=arn:x <token-count>5</token-count>")]
    public void Mask_NothingNamedSecret_IsKeptAsItIs(string text)
    {
        var masker = Masker();

        masker.ContainsSecret(text).Should().BeFalse();
        masker.Mask(text).Should().BeSameAs(text);
    }

    [Fact]
    public void Mask_NoRedactedKeysConfigured_StillMasksUrlPasswordsAndNothingElse()
    {
        var masker = new AssignedSecretMasker(new ArgumentKeyRedactor([]));

        masker.Mask("password=x https://u:p@h/").Should().Be("password=x https://u:[redacted]@h/");
    }

    [Fact]
    public void Mask_KeyLongerThanAKey_IsJudgedByItsWordsNearestTheValue()
    {
        var plain = new string('a', 80) + "passwordless";
        var secret = string.Concat(Enumerable.Repeat("SERVICE_", 10)) + "DB_PASSWORD";

        Masker().Mask(plain + "=x").Should().Be(plain + "=x", "one long word that does not end in password is not the word password");
        Masker().Mask(secret + "=hunter2 next").Should().Be(secret + "=[redacted] next");
    }

    [Fact]
    public void Mask_ManySecretsInARow_MasksEveryOne()
    {
        // Values masked one after another in a run of signs (the search goes on from each, growing its stretch);
        // its cost on long text is measured by RedactionBenchmarks.Names_DenseSecrets.
        var text = string.Concat(Enumerable.Repeat("password=a;token: 'b', ", 1_000));

        Masker().Mask(text).Should().Be(string.Concat(Enumerable.Repeat("password=[redacted];token: '[redacted]', ", 1_000)));
    }

    [Fact]
    public void Mask_ManyFlagsElementsAndNamedValuesInARow_MasksEveryOne()
    {
        var text = string.Concat(Enumerable.Repeat("--password a <token>b</token> {\"name\": \"secret\", \"value\": \"c\"}, ", 1_000));

        Masker().Mask(text).Should().Be(string.Concat(Enumerable.Repeat(
            "--password [redacted] <token>[redacted]</token> {\"name\": \"secret\", \"value\": \"[redacted]\"}, ", 1_000)));
    }

    [Theory]
    [InlineData("--password - ")]
    [InlineData("-")]
    [InlineData("<password x=1 ")]
    [InlineData("<password x=1>")]
    [InlineData("<x:password>")]
    [InlineData("\"value\": 1, ")]
    [InlineData("\"name\": \"password\", \"type\": \"x\", \"value\": null, ")]
    [InlineData("\"value\": \"x\", \"type\": \"y\", ")]
    [InlineData("value=value=")]
    [InlineData(" -p")]
    [InlineData("ssh -p 1 ")]
    [InlineData("<password> x ")]
    [InlineData(" -u")]
    [InlineData(" --user")]
    [InlineData("curl -u a ")]
    [InlineData("docker x login -k ")]
    [InlineData("openssl -passin env:X ")]
    [InlineData(" -s")]
    [InlineData("ldapsearch -s ")]
    [InlineData("--value x ")]
    [InlineData("--value=x SecureStrin ")]
    [InlineData("docker --tls x login -k ")]
    [InlineData("docker -H h login -u x ")]
    [InlineData("db_pas=")]
    [InlineData("password:\n")]
    [InlineData("password: |\n")]
    [InlineData("password:\n  x: 1\n")]
    [InlineData("password:\n\n")]
    [InlineData("password: | # x\n")]
    [InlineData(@"max_tokens\\\\\\\"": \\\\\\\""x\\\\\\\"", ")]
    [InlineData(@"password\\\\\\\\\\\\\\\\: ")]
    [InlineData("identified with x y by ' ")]
    [InlineData("IDENTIFIED BY ")]
    [InlineData("password x' ")]
    [InlineData("ConvertTo-SecureString -AsPlainText -Force -Verbose ")]
    [InlineData("ConvertTo-SecureString -Force:x -AsPlainText | ")]
    [InlineData("password => x ")]
    [InlineData("--value x secrets setx secret-set ")]
    [InlineData("gh secret set x -bx --body-x -")]
    [InlineData("fly secrets set a -b ")]
    [InlineData("x-SecureString 'a' ")]
    [InlineData("ssh-keygen -N -f ")]
    [InlineData("keytool -storepass:env X ")]
    [InlineData("set x:password -")]
    public void Mask_LargeDenseTextOfNearMisses_IsKeptAndScannedInLinearTime(string unit)
    {
        // Each near miss is looked at in bounded steps (a flag's name, a tag, the properties before a value): a
        // quadratic scan would take minutes over this text, not milliseconds.
        var text = string.Concat(Enumerable.Repeat(unit, 200_000 / unit.Length));

        Masker().Mask(text).Should().BeSameAs(text);
    }

    [Theory]
    [InlineData(@"{\""password\"": \""hunter2\""}", @"{\""password\"": \""[redacted]\""}")]
    [InlineData(@"""{\""api_key\"":\""abc\""}""", @"""{\""api_key\"":\""[redacted]\""}""")]
    [InlineData(@"{\\\""password\\\"": \\\""hunter2\\\""}", @"{\\\""password\\\"": \\\""[redacted]\\\""}")]
    [InlineData(@"{""body"": ""{\\\""api_key\\\"":\\\""abc\\\""}"", ""n"": 1}", @"{""body"": ""{\\\""api_key\\\"":\\\""[redacted]\\\""}"", ""n"": 1}")]
    [InlineData(@"{\\\\\\\""api_key\\\\\\\"":\\\\\\\""abc\\\\\\\"",\\\\\\\""n\\\\\\\"":1}", @"{\\\\\\\""api_key\\\\\\\"":\\\\\\\""[redacted]\\\\\\\"",\\\\\\\""n\\\\\\\"":1}")]
    [InlineData(@"{\""password\"":\""a\\\""b\"",\""x\"":1}", @"{\""password\"":\""[redacted]\"",\""x\"":1}")]
    [InlineData(@"{\""password\"":\""a\\\\\"",\""x\"":1}", @"{\""password\"":\""[redacted]\"",\""x\"":1}")]
    [InlineData(@"{\\\""token\\\"":\\\""a\\\\\\\""b\\\"",\\\""n\\\"":1}", @"{\\\""token\\\"":\\\""[redacted]\\\"",\\\""n\\\"":1}")]
    [InlineData(@"{\\\""token\\\"":\\\""a\\\\\\\\b\\\"",\\\""n\\\"":1}", @"{\\\""token\\\"":\\\""[redacted]\\\"",\\\""n\\\"":1}")]
    [InlineData(@"password=\\\""hunter 2\\\"" next", @"password=\\\""[redacted]\\\"" next")]
    [InlineData(@"{\\\""secret\\\"":\\\""x\\\""}", @"{\\\""secret\\\"":\\\""[redacted]\\\""}")]
    [InlineData(@"{\\\""argv\\\"": [\\\""mysql\\\"", \\\""-phunter2\\\""]}", @"{\\\""argv\\\"": [\\\""mysql\\\"", \\\""-p[redacted]\\\""]}")]
    public void Mask_JsonSerializedTwiceOrMore_MasksTheValueUpToItsClosingEscapedQuote(string text, string expected)
    {
        // JSON that was a string once or more (a tool's result that holds a request body): the key's quote and the
        // value's are escaped as deep as the JSON is; only the value is masked, its closing quote and the rest stay.
        var masker = Masker();

        masker.ContainsSecret(text).Should().BeTrue();
        masker.Mask(text).Should().Be(expected);
    }

    [Theory]
    [InlineData("password:\n  hunter2", "password:\n  [redacted]")]
    [InlineData("db:\n  password:\n    hunter2\n  user: bob", "db:\n  password:\n    [redacted]\n  user: bob")]
    [InlineData("password: |\n  hunter2\n  more\nuser: bob", "password: |\n  [redacted]\nuser: bob")]
    [InlineData("private_key: >-\n  abc\n  def\n", "private_key: >-\n  [redacted]\n")]
    [InlineData("password: |+2 # note\n    a\n\n    b\nuser: bob", "password: |+2 # note\n    [redacted]\nuser: bob")]
    [InlineData("token:\r\n  abc\r\nnext: 1", "token:\r\n  [redacted]\r\nnext: 1")]
    [InlineData("- name: x\n  password:\n    hunter2\n- name: y", "- name: x\n  password:\n    [redacted]\n- name: y")]
    [InlineData("password:\n  \"hunter 2\"\nuser: bob", "password:\n  \"[redacted]\"\nuser: bob")]
    [InlineData("password:\n\n  hunter2\nuser: bob", "password:\n\n  [redacted]\nuser: bob")]
    [InlineData("api_key:\n  abc\n  def\nuser: bob", "api_key:\n  [redacted]\nuser: bob")]
    [InlineData("secret: >\n  a b c", "secret: >\n  [redacted]")]
    [InlineData("\"password\":\n    hunter2\n", "\"password\":\n    [redacted]\n")]
    [InlineData("Password:\n  see below", "Password:\n  [redacted]")]
    [InlineData("- name: DB_PASSWORD\n  value: |\n    hunter2\n- name: PORT\n  value: |\n    80", "- name: DB_PASSWORD\n  value: |\n    [redacted]\n- name: PORT\n  value: |\n    80")]
    [InlineData("Cookie:\n  a=1;\n  session=abc\nHost: x", "Cookie:\n  [redacted]\nHost: x")]
    [InlineData("password_file:\n  hunter2\ntoken_path:\n  /run/tok", "password_file:\n  [redacted]\ntoken_path:\n  /run/tok")]
    [InlineData("api_keys:\n  - k1\n  - k2\nuser: bob", "api_keys:\n  - [redacted]\nuser: bob")]
    [InlineData("passwords:\n- a\n- b\nuser: bob", "passwords:\n- [redacted]\nuser: bob")]
    [InlineData("db:\n  secrets:\n  - a\n\n  - b\n  port: 1", "db:\n  secrets:\n  - [redacted]\n  port: 1")]
    [InlineData("- name: x\n  secrets:\n  - a\n- name: y", "- name: x\n  secrets:\n  - [redacted]\n- name: y")]
    [InlineData("api_keys:\r\n  - \"a b\"\r\n  - c\r\nnext: 1", "api_keys:\r\n  - [redacted]\r\nnext: 1")]
    [InlineData("\"api_keys\":\n- k1", "\"api_keys\":\n- [redacted]")]
    [InlineData("Invalid password:\n          - too short", "Invalid password:\n          - [redacted]")]
    [InlineData("password: # the db's\n  hunter2\nuser: bob", "password: [redacted]\nuser: bob")]
    [InlineData("api_key:   #x\n  abc\n  def\n\nuser: bob", "api_key:   [redacted]\n\nuser: bob")]
    [InlineData("password: #hunter2\nuser: bob", "password: [redacted]\nuser: bob")]
    [InlineData("password: # note\n  user: bob", "password: [redacted] note\n  user: bob")]
    public void Mask_YamlValueOnTheNextLinesOrInABlockScalar_IsMaskedAndTheNextKeyKept(string text, string expected)
    {
        var masker = Masker();

        masker.ContainsSecret(text).Should().BeTrue();
        masker.Mask(text).Should().Be(expected);
    }

    [Theory]
    [InlineData("password:\nuser: bob")]
    [InlineData("  password:\n  user: bob\n")]
    [InlineData("password:\n  user: bob\n  host: db")]
    [InlineData("note:\n  see below")]
    [InlineData("Your password:\nis expired. Reset it.")]
    [InlineData("password: |\nuser: bob")]
    [InlineData("password:")]
    [InlineData("Invalid password:\n   at Db.Open()")]
    [InlineData("password:\n  - name: a\n    port: 1")]
    [InlineData("passwords:\n- name: a\n  port: 1")]
    [InlineData("secrets:\n  - - a")]
    [InlineData("Your password:\n- is expired\n- must change")]
    [InlineData("- password:\n- b")]
    [InlineData("password_file:\n  - /run/secrets/a\n  - /run/secrets/b")]
    [InlineData("password_file: # mounted\n  /run/secrets/db")]
    public void Mask_YamlKeyWithoutAValueOnTheNextLines_IsKept(string text)
    {
        // A sibling or a parent key at the same or a lower indentation, a nested mapping (left to its own keys), a line
        // of prose that is not indented under the key: no value to mask.
        var masker = Masker();

        masker.ContainsSecret(text).Should().BeFalse();
        masker.Mask(text).Should().BeSameAs(text);
    }

    [Theory]
    [InlineData("ldappasswd -s pw: x", "ldappasswd -s [redacted] x")]
    [InlineData("ldappasswd -spw: x", "ldappasswd -s[redacted] x")]
    [InlineData("--password pw: x", "--password [redacted] x")]
    [InlineData("password=pw: x", "password=[redacted] x")]
    public void Mask_ValueEndingInAColon_IsMaskedWholeAsTheWordItIs(string text, string expected)
    {
        // A command line gives a flag the whole word after it: the password ldappasswd gets from -s pw: is "pw:", and
        // the mask covers it, colon and all, and nothing after it (x is the next argument). The colon is not read as
        // a key's sign either: -s is no key, and pw names no secret.
        Masker().Mask(text).Should().Be(expected);
    }

    [Fact]
    public void Mask_ManyDoublyEscapedAndYamlSecretsInARow_MasksEveryOne()
    {
        var text = string.Concat(Enumerable.Repeat(@"{\\\""password\\\"":\\\""a\\\\\\\""b\\\""}" + "\ntoken:\n  c\n", 1_000));

        Masker().Mask(text).Should().Be(string.Concat(Enumerable.Repeat(@"{\\\""password\\\"":\\\""[redacted]\\\""}" + "\ntoken:\n  [redacted]\n", 1_000)));
    }

    [Fact]
    public void Mask_LongKeyBeforeAQuoteEscapedFifteenTimes_IsFoundUpToFiftyChars()
    {
        // JSON made a string four times: 15 backslashes before each quote. A key is looked for at most MaxKeyLength
        // (64) chars and a once-escaped quote before its sign, so one this deep is found up to 50 chars long.
        var escaped = new string('\\', 15) + "\"";
        var key = new string('x', 41) + "_password";

        Masker().Mask(escaped + key + escaped + ": " + escaped + "hunter2" + escaped).Should().Be(escaped + key + escaped + ": " + escaped + "[redacted]" + escaped);
    }

    [Fact]
    public void Mask_LongRunsOfEscapesInAQuotedValue_AreMaskedInLinearTime()
    {
        // Each quote's escapes are counted once: counting them again from each backslash would take minutes here.
        var text = @"password: \""" + new string('\\', 200_000) + @"\"" next";

        Masker().Mask(text).Should().Be(@"password: \""[redacted]\"" next");
    }

    [Fact]
    public void Mask_LongYamlBlockScalars_AreMaskedInLinearTime()
    {
        var block = "password: |\n" + string.Concat(Enumerable.Repeat("  line\n", 20_000)) + "user: bob\n";

        Masker().Mask(string.Concat(Enumerable.Repeat(block, 5))).Should().Be(string.Concat(Enumerable.Repeat("password: |\n  [redacted]\nuser: bob\n", 5)));
    }

    [Fact]
    public void Mask_LongYamlSequencesAndValuesAfterAComment_AreMaskedInLinearTime()
    {
        var items = string.Concat(Enumerable.Repeat("- k\n", 20_000));
        var lines = string.Concat(Enumerable.Repeat("  line\n", 20_000));
        var text = string.Concat(Enumerable.Repeat("api_keys:\n" + items + "password: # note\n" + lines + "user: bob\n", 5));

        Masker().Mask(text).Should().Be(string.Concat(Enumerable.Repeat("api_keys:\n- [redacted]\npassword: [redacted]\nuser: bob\n", 5)));
    }

    [Fact]
    public void CreateAndWriteLine_YamlValuesOnTheNextLinesOrInABlockScalar_AreMaskedInTheEntryAndTheLine()
    {
        using var spec = System.Text.Json.JsonDocument.Parse("{\"config\": \"password: |\\n  hunter2\\nuser: bob\"}");
        var call = new ToolCall(
            "alice",
            "run",
            new Dictionary<string, object?>
            {
                ["config"] = "db:\n  password:\n    hunter2\n  user: bob",
                ["keys"] = "api_keys:\n  - k1\n  - k2\ntoken: # rotated\n  abc\nuser: bob",
                ["spec"] = spec.RootElement.Clone(),
            },
            AuditStatus.Error,
            "key: |\n  fine\nprivate_key: >-\n  hunter2\n  hunter2\nuser: bob")
        {
            Error = "invalid config:\n  token:\n    hunter2\n  port: 80",
        };

        AssertEntryAndLine(
            call,
            new Dictionary<string, string>
            {
                ["config"] = "\"db:\\n  password:\\n    [redacted]\\n  user: bob\"",
                ["keys"] = "\"api_keys:\\n  - [redacted]\\ntoken: [redacted]\\nuser: bob\"",
                ["spec"] = "{\"config\":\"password: |\\n  [redacted]\\nuser: bob\"}",
            },
            "key: |\n  fine\nprivate_key: >-\n  [redacted]\nuser: bob",
            "invalid config:\n  token:\n    [redacted]\n  port: 80");
    }

    [Fact]
    public void CreateAndWriteLine_JsonSerializedTwiceOrMore_IsMaskedInTheEntryAndTheLine()
    {
        // Both paths: the entry (the in-memory store's) and the line the file store writes without making it. The body
        // of the JSON argument is JSON made a string twice once its own string is read.
        using var spec = System.Text.Json.JsonDocument.Parse(@"{""body"": ""{\\\\\\\""api_key\\\\\\\"":\\\\\\\""hunter2\\\\\\\""}""}");
        var call = new ToolCall(
            "alice",
            "run",
            new Dictionary<string, object?>
            {
                ["payload"] = @"{\\\""password\\\"": \\\""hunter2\\\"", \\\""user\\\"": \\\""bob\\\""}",
                ["spec"] = spec.RootElement.Clone(),
            },
            AuditStatus.Error,
            @"{""request"": ""{\""password\"":\""a\\\""hunter2\"",\""user\"":\""bob\""}""}")
        {
            Error = @"bad request {\""body\"": \""{\\\""token\\\"":\\\""hunter2\\\""}\""}",
        };

        var entry = Prepared.Entry(call);
        var line = Prepared.Line(call);

        line.Should().NotContain("hunter2");
        using var written = System.Text.Json.JsonDocument.Parse(line);
        var args = written.RootElement.GetProperty("args");
        foreach (var (name, stored) in new[] { ("entry", entry.Args!.ToDictionary(a => a.Key, a => a.Value)), ("line", args.EnumerateObject().ToDictionary(p => p.Name, p => p.Value)) })
        {
            stored["payload"].GetString().Should().Be(@"{\\\""password\\\"": \\\""[redacted]\\\"", \\\""user\\\"": \\\""bob\\\""}", name);
            stored["spec"].GetProperty("body").GetString().Should().Be(@"{\\\""api_key\\\"":\\\""[redacted]\\\""}", name);
        }

        entry.ResultSnippet.Should().Be(@"{""request"": ""{\""password\"":\""[redacted]\"",\""user\"":\""bob\""}""}");
        written.RootElement.GetProperty("result_snippet").GetString().Should().Be(entry.ResultSnippet);
        entry.Error.Should().Be(@"bad request {\""body\"": \""{\\\""token\\\"":\\\""[redacted]\\\""}\""}");
        written.RootElement.GetProperty("error").GetString().Should().Be(entry.Error);
    }

    [Fact]
    public void Create_SecretsNamedInArgumentsSnippetAndError_AreMaskedInEachAndTheRestKept()
    {
        var options = new ToolAuditOptions();
        var call = new ToolCall(
            "alice",
            "run_shell",
            new Dictionary<string, object?> { ["command"] = "psql postgres://app:hunter2@db/prod -c 'select 1'" },
            AuditStatus.Error,
            "{\"status\": \"ok\", \"config\": {\"api_key\": \"live-4f9a\"}}")
        {
            Error = "connect failed: Password=hunter2; Host=db",
        };

        var entry = Prepared.Entry(call, options);

        entry.Args!["command"].GetString().Should().Be("psql postgres://app:[redacted]@db/prod -c 'select 1'");
        entry.ResultSnippet.Should().Be("{\"status\": \"ok\", \"config\": {\"api_key\": \"[redacted]\"}}");
        entry.Error.Should().Be("connect failed: Password=[redacted]; Host=db");
    }

    [Fact]
    public void Create_JsonArgumentWithASecretNamedValueInsideAString_IsRewrittenMasked()
    {
        var options = new ToolAuditOptions();
        using var document = System.Text.Json.JsonDocument.Parse("{\"env\": [\"PATH=/bin\", \"DB_PASSWORD=hunter2\"]}");
        var call = new ToolCall("alice", "spawn", new Dictionary<string, object?> { ["spec"] = document.RootElement.Clone() }, AuditStatus.Ok);

        var entry = Prepared.Entry(call, options);

        entry.Args!["spec"].GetRawText().Should().Be("{\"env\":[\"PATH=/bin\",\"DB_PASSWORD=[redacted]\"]}");
    }

    [Fact]
    public void Create_StructuredArgumentsWithANamedValueOrAFlagsValue_AreRewrittenMasked()
    {
        // The forms the text masker finds in JSON text, found by the structure of an object or array argument: a value
        // that a name or key property names (in either order: an object's properties have none), and the item after a
        // secret-named long flag in a list of arguments.
        var options = new ToolAuditOptions();
        using var document = System.Text.Json.JsonDocument.Parse(
            "{\"env\": [{\"name\": \"DB_PASSWORD\", \"value\": \"hunter2\"}, {\"Value\": \"x\", \"Key\": \"ApiKey\"}, {\"name\": \"PORT\", \"value\": \"5432\"}]}");
        var call = new ToolCall(
            "alice",
            "spawn",
            new Dictionary<string, object?>
            {
                ["spec"] = document.RootElement.Clone(),
                ["argv"] = new[] { "mysql", "--password", "hunter2", "--tokens", "5", "--token", "--verbose", "--no-password", "db" },
            },
            AuditStatus.Ok);

        var entry = Prepared.Entry(call, options);

        entry.Args!["spec"].GetRawText().Should().Be(
            "{\"env\":[{\"name\":\"DB_PASSWORD\",\"value\":\"[redacted]\"},{\"Value\":\"[redacted]\",\"Key\":\"ApiKey\"},{\"name\":\"PORT\",\"value\":\"5432\"}]}");
        entry.Args["argv"].GetRawText().Should().Be(
            "[\"mysql\",\"--password\",\"[redacted]\",\"--tokens\",\"5\",\"--token\",\"--verbose\",\"--no-password\",\"db\"]");
    }

    [Fact]
    public void Create_ValueArgumentThatANameArgumentNames_IsRedacted()
    {
        // set_env(name: "DB_PASSWORD", value: "hunter2"): the call's own arguments are a name and a value too.
        using var document = System.Text.Json.JsonDocument.Parse("{\"Key\": \"ApiKey\", \"Value\": \"x\"}");
        var plain = new ToolCall("alice", "set_env", new Dictionary<string, object?> { ["value"] = "hunter2", ["name"] = "DB_PASSWORD" }, AuditStatus.Ok);
        var json = new ToolCall(
            "alice",
            "put_setting",
            document.RootElement.EnumerateObject().ToDictionary(static p => p.Name, static p => (object?)p.Value.Clone()),
            AuditStatus.Ok);
        var kept = new ToolCall("alice", "set_env", new Dictionary<string, object?> { ["name"] = "PORT", ["value"] = "5432" }, AuditStatus.Ok);

        Prepared.Entry(plain).Args!["value"].GetString().Should().Be("[redacted]");
        Prepared.Entry(plain).Args!["name"].GetString().Should().Be("DB_PASSWORD");
        Prepared.Entry(json).Args!["Value"].GetString().Should().Be("[redacted]");
        Prepared.Entry(kept).Args!["value"].GetString().Should().Be("5432");
    }

    [Fact]
    public void CreateAndWriteLine_SecretsNamedAfterTheirValueByTypeOrByAShortFlag_AreMaskedInTheEntryAndTheLine()
    {
        // The entry (the in-memory store's) and the line the file store writes on its own path: each must mask.
        using var argv = System.Text.Json.JsonDocument.Parse("[\"sshpass\", \"-p\", \"hunter2\", \"ssh\", \"-p\", \"2222\", \"host\"]");
        using var mysql = System.Text.Json.JsonDocument.Parse("[\"mysql\", \"-uroot\", \"-phunter2\", \"-P\", \"3306\"]");
        using var field = System.Text.Json.JsonDocument.Parse("{\"value\": \"hunter2\", \"type\": \"password\"}");
        var call = new ToolCall(
            "alice",
            "run",
            new Dictionary<string, object?>
            {
                ["command"] = "mysql -u root -phunter2 -h db",
                ["form"] = "<input type=\"password\" value=\"hunter2\">",
                ["argv"] = argv.RootElement.Clone(),
                ["mysql"] = mysql.RootElement.Clone(),
                ["field"] = field.RootElement.Clone(),
                ["signing_key"] = "k",
                ["password_file"] = "/run/secrets/db",
            },
            AuditStatus.Error,
            "[{\"value\": \"hunter2\", \"name\": \"DB_PASSWORD\"}]")
        {
            Error = "sshpass -p hunter2 ssh host: exit 5",
        };

        var entry = Prepared.Entry(call);
        var line = Prepared.Line(call);

        line.Should().NotContain("hunter2");
        using var written = System.Text.Json.JsonDocument.Parse(line);
        var args = written.RootElement.GetProperty("args");
        foreach (var (name, stored) in new[] { ("entry", entry.Args!.ToDictionary(a => a.Key, a => a.Value.GetRawText())), ("line", args.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText())) })
        {
            stored["command"].Should().Be("\"mysql -u root -p[redacted] -h db\"", name);
            stored["form"].Should().Be("\"<input type=\\\"password\\\" value=\\\"[redacted]\\\">\"", name);
            stored["argv"].Should().Be("[\"sshpass\",\"-p\",\"[redacted]\",\"ssh\",\"-p\",\"2222\",\"host\"]", name);
            stored["mysql"].Should().Be("[\"mysql\",\"-uroot\",\"-p[redacted]\",\"-P\",\"3306\"]", name);
            stored["field"].Should().Be("{\"value\":\"[redacted]\",\"type\":\"password\"}", name);
            stored["signing_key"].Should().Be("\"[redacted]\"", name);
            stored["password_file"].Should().Be("\"/run/secrets/db\"", name);
        }

        entry.ResultSnippet.Should().Be("[{\"value\": \"[redacted]\", \"name\": \"DB_PASSWORD\"}]");
        written.RootElement.GetProperty("result_snippet").GetString().Should().Be(entry.ResultSnippet);
        entry.Error.Should().Be("sshpass -p [redacted] ssh host: exit 5");
        written.RootElement.GetProperty("error").GetString().Should().Be(entry.Error);
    }

    [Fact]
    public void CreateAndWriteLine_CommandLinePasswordsLoginSubcommandsAndSecureStrings_AreMaskedInTheEntryAndTheLine()
    {
        // Both paths: the entry (the in-memory store's) and the line the file store writes without making it.
        using var curl = System.Text.Json.JsonDocument.Parse("[\"curl\", \"-u\", \"alice:hunter2\", \"--user=bob:hunter2\", \"-ucarol:hunter2\", \"-u\", \"dave\", \"https://x\"]");
        using var login = System.Text.Json.JsonDocument.Parse("[\"docker\", \"login\", \"-u\", \"bob\", \"-p\", \"hunter2\", \"&&\", \"docker\", \"run\", \"-p\", \"8080:80\", \"app\"]");
        using var openssl = System.Text.Json.JsonDocument.Parse("[\"openssl\", \"pkcs12\", \"-passin\", \"pass:hunter2\", \"-passout\", \"env:PW\", \"-k\", \"hunter2\"]");
        using var samba = System.Text.Json.JsonDocument.Parse("[\"smbclient\", \"-Ualice%hunter2\", \"//srv/share\"]");
        using var ldap = System.Text.Json.JsonDocument.Parse("[\"ldapsearch\", \"-w\", \"hunter2\", \"-b\", \"dc=x\"]");
        using var ssm = System.Text.Json.JsonDocument.Parse("{\"Name\": \"/prod/db\", \"Type\": \"SecureString\", \"Value\": \"hunter2\"}");
        using var env = System.Text.Json.JsonDocument.Parse("{\"PGPASSWORD\": \"hunter2\", \"dbpassword\": \"hunter2\", \"SSHPASS\": \"hunter2\", \"maxtoken\": \"5\"}");
        var call = new ToolCall(
            "alice",
            "run",
            new Dictionary<string, object?>
            {
                ["command"] = "PGPASSWORD=hunter2 psql -h db && curl -u alice:hunter2 https://x",
                ["curl"] = curl.RootElement.Clone(),
                ["login"] = login.RootElement.Clone(),
                ["openssl"] = openssl.RootElement.Clone(),
                ["samba"] = samba.RootElement.Clone(),
                ["ldap"] = ldap.RootElement.Clone(),
                ["ssm"] = ssm.RootElement.Clone(),
                ["env"] = env.RootElement.Clone(),
                ["clientsecret"] = "hunter2",
            },
            AuditStatus.Error,
            "{\"Parameter\": {\"Name\": \"/prod/db\", \"Type\": \"SecureString\", \"Value\": \"hunter2\", \"Version\": 3}}")
        {
            Error = "docker login -u bob -p hunter2 failed: unauthorized",
        };
        var secureParameter = new ToolCall(
            "alice",
            "put_parameter",
            new Dictionary<string, object?> { ["name"] = "/prod/db", ["type"] = "SecureString", ["value"] = "hunter2" },
            AuditStatus.Ok);

        var entry = Prepared.Entry(call);
        var line = Prepared.Line(call);

        line.Should().NotContain("hunter2");
        Prepared.Line(secureParameter).Should().NotContain("hunter2");
        Prepared.Entry(secureParameter).Args!["value"].GetString().Should().Be("[redacted]");
        using var written = System.Text.Json.JsonDocument.Parse(line);
        var args = written.RootElement.GetProperty("args");
        foreach (var (name, stored) in new[] { ("entry", entry.Args!.ToDictionary(a => a.Key, a => a.Value.GetRawText())), ("line", args.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText())) })
        {
            stored["command"].Should().Be("\"PGPASSWORD=[redacted] psql -h db && curl -u alice:[redacted] https://x\"", name);
            stored["curl"].Should().Be("[\"curl\",\"-u\",\"alice:[redacted]\",\"--user=bob:[redacted]\",\"-ucarol:[redacted]\",\"-u\",\"dave\",\"https://x\"]", name);
            stored["login"].Should().Be("[\"docker\",\"login\",\"-u\",\"bob\",\"-p\",\"[redacted]\",\"&&\",\"docker\",\"run\",\"-p\",\"8080:80\",\"app\"]", name);
            stored["openssl"].Should().Be("[\"openssl\",\"pkcs12\",\"-passin\",\"pass:[redacted]\",\"-passout\",\"env:PW\",\"-k\",\"[redacted]\"]", name);
            stored["samba"].Should().Be("[\"smbclient\",\"-Ualice%[redacted]\",\"//srv/share\"]", name);
            stored["ldap"].Should().Be("[\"ldapsearch\",\"-w\",\"[redacted]\",\"-b\",\"dc=x\"]", name);
            stored["ssm"].Should().Be("{\"Name\":\"/prod/db\",\"Type\":\"SecureString\",\"Value\":\"[redacted]\"}", name);
            stored["env"].Should().Be("{\"PGPASSWORD\":\"[redacted]\",\"dbpassword\":\"[redacted]\",\"SSHPASS\":\"[redacted]\",\"maxtoken\":\"5\"}", name);
            stored["clientsecret"].Should().Be("\"[redacted]\"", name);
        }

        entry.ResultSnippet.Should().Be("{\"Parameter\": {\"Name\": \"/prod/db\", \"Type\": \"SecureString\", \"Value\": \"[redacted]\", \"Version\": 3}}");
        written.RootElement.GetProperty("result_snippet").GetString().Should().Be(entry.ResultSnippet);
        entry.Error.Should().Be("docker login -u bob -p [redacted] failed: unauthorized");
        written.RootElement.GetProperty("error").GetString().Should().Be(entry.Error);
    }

    [Fact]
    public void CreateAndWriteLine_KeysEndingInTheWordPass_AreRedactedInTheEntryAndTheLine()
    {
        using var env = System.Text.Json.JsonDocument.Parse("{\"SMTP_PASS\": \"hunter2\", \"PASS\": \"1\"}");
        using var argv = System.Text.Json.JsonDocument.Parse("[\"app\", \"--db-pass\", \"hunter2\", \"--pass\", \"2\"]");
        var call = new ToolCall(
            "alice",
            "run",
            new Dictionary<string, object?>
            {
                ["DB_PASS"] = "hunter2",
                ["smtpPass"] = "hunter2",
                ["pass"] = "first",
                ["command"] = "RCLONE_CONFIG_PASS=hunter2 rclone sync a b",
                ["env"] = env.RootElement.Clone(),
                ["argv"] = argv.RootElement.Clone(),
            },
            AuditStatus.Error,
            "DB_PASS=hunter2\nPORT=5432")
        {
            Error = "export smtp_pass=hunter2 failed",
        };

        AssertEntryAndLine(
            call,
            new Dictionary<string, string>
            {
                ["DB_PASS"] = "\"[redacted]\"",
                ["smtpPass"] = "\"[redacted]\"",
                ["pass"] = "\"first\"",
                ["command"] = "\"RCLONE_CONFIG_PASS=[redacted] rclone sync a b\"",
                ["env"] = "{\"SMTP_PASS\":\"[redacted]\",\"PASS\":\"1\"}",
                ["argv"] = "[\"app\",\"--db-pass\",\"[redacted]\",\"--pass\",\"2\"]",
            },
            "DB_PASS=[redacted]\nPORT=5432",
            "export smtp_pass=[redacted] failed");
    }

    [Fact]
    public void CreateAndWriteLine_LdappasswdOldAndNewPasswords_AreMaskedInTheEntryAndTheLine()
    {
        using var argv = System.Text.Json.JsonDocument.Parse("[\"ldappasswd\", \"-w\", \"hunter2\", \"-a\", \"hunter2\", \"-shunter2\", \"uid=bob\"]");
        using var search = System.Text.Json.JsonDocument.Parse("[\"ldapsearch\", \"-a\", \"always\", \"-s\", \"sub\"]");
        var call = new ToolCall(
            "alice",
            "run",
            new Dictionary<string, object?>
            {
                ["command"] = "ldappasswd -x -D cn=admin,dc=x -w hunter2 -a hunter2 -s hunter2 uid=bob,dc=x",
                ["argv"] = argv.RootElement.Clone(),
                ["search"] = search.RootElement.Clone(),
            },
            AuditStatus.Error,
            "$ ldappasswd -a hunter2 -shunter2\nResult: Success")
        {
            Error = "ldappasswd -s hunter2 failed: Insufficient access (50)",
        };

        AssertEntryAndLine(
            call,
            new Dictionary<string, string>
            {
                ["command"] = "\"ldappasswd -x -D cn=admin,dc=x -w [redacted] -a [redacted] -s [redacted] uid=bob,dc=x\"",
                ["argv"] = "[\"ldappasswd\",\"-w\",\"[redacted]\",\"-a\",\"[redacted]\",\"-s[redacted]\",\"uid=bob\"]",
                ["search"] = "[\"ldapsearch\",\"-a\",\"always\",\"-s\",\"sub\"]",
            },
            "$ ldappasswd -a [redacted] -s[redacted]\nResult: Success",
            "ldappasswd -s [redacted] failed: Insufficient access (50)");
    }

    [Fact]
    public void CreateAndWriteLine_SsmValueFlagBesideSecureString_IsMaskedInTheEntryAndTheLine()
    {
        using var argv = System.Text.Json.JsonDocument.Parse("[\"aws\", \"ssm\", \"put-parameter\", \"--value\", \"hunter2\", \"--type\", \"SecureString\"]");
        using var attached = System.Text.Json.JsonDocument.Parse("[\"aws\", \"ssm\", \"put-parameter\", \"--type=SecureString\", \"--value=hunter2\"]");
        using var plain = System.Text.Json.JsonDocument.Parse("[\"aws\", \"ssm\", \"put-parameter\", \"--type\", \"String\", \"--value\", \"db.internal\", \"--value=x\"]");
        var call = new ToolCall(
            "alice",
            "run",
            new Dictionary<string, object?>
            {
                ["command"] = "aws ssm put-parameter --name /prod/db --type SecureString --value hunter2",
                ["argv"] = argv.RootElement.Clone(),
                ["attached"] = attached.RootElement.Clone(),
                ["plain"] = plain.RootElement.Clone(),
            },
            AuditStatus.Error,
            "+ aws ssm put-parameter --value=hunter2 --type SecureString --overwrite\n{\"Version\": 2}")
        {
            Error = "aws ssm put-parameter --type SecureString --value hunter2 failed: AccessDenied",
        };

        AssertEntryAndLine(
            call,
            new Dictionary<string, string>
            {
                ["command"] = "\"aws ssm put-parameter --name /prod/db --type SecureString --value [redacted]\"",
                ["argv"] = "[\"aws\",\"ssm\",\"put-parameter\",\"--value\",\"[redacted]\",\"--type\",\"SecureString\"]",
                ["attached"] = "[\"aws\",\"ssm\",\"put-parameter\",\"--type=SecureString\",\"--value=[redacted]\"]",
                ["plain"] = "[\"aws\",\"ssm\",\"put-parameter\",\"--type\",\"String\",\"--value\",\"db.internal\",\"--value=x\"]",
            },
            "+ aws ssm put-parameter --value=[redacted] --type SecureString --overwrite\n{\"Version\": 2}",
            "aws ssm put-parameter --type SecureString --value [redacted] failed: AccessDenied");
    }

    [Fact]
    public void CreateAndWriteLine_ValueFlagOfACommandThatSetsASecret_IsMaskedInTheEntryAndTheLine()
    {
        using var argv = System.Text.Json.JsonDocument.Parse("[\"az\", \"keyvault\", \"secret\", \"set\", \"--vault-name\", \"kv\", \"--name\", \"db\", \"--value\", \"hunter2\"]");
        using var attached = System.Text.Json.JsonDocument.Parse("[\"az\", \"keyvault\", \"secret\", \"set\", \"--value=hunter2\"]");
        using var other = System.Text.Json.JsonDocument.Parse("[\"az\", \"keyvault\", \"secret\", \"show\", \"--query\", \"set\", \"--value\", \"db.internal\"]");
        var call = new ToolCall(
            "alice",
            "run",
            new Dictionary<string, object?>
            {
                ["command"] = "az keyvault secret set --vault-name kv --name db --value hunter2 --output none",
                ["argv"] = argv.RootElement.Clone(),
                ["attached"] = attached.RootElement.Clone(),
                ["other"] = other.RootElement.Clone(),
            },
            AuditStatus.Error,
            "+ az keyvault secret set --name db --value=hunter2\nsecret settings: --value kept")
        {
            Error = "az keyvault secret set --value 'hunter 2' failed: Forbidden",
        };

        AssertEntryAndLine(
            call,
            new Dictionary<string, string>
            {
                ["command"] = "\"az keyvault secret set --vault-name kv --name db --value [redacted] --output none\"",
                ["argv"] = "[\"az\",\"keyvault\",\"secret\",\"set\",\"--vault-name\",\"kv\",\"--name\",\"db\",\"--value\",\"[redacted]\"]",
                ["attached"] = "[\"az\",\"keyvault\",\"secret\",\"set\",\"--value=[redacted]\"]",
                ["other"] = "[\"az\",\"keyvault\",\"secret\",\"show\",\"--query\",\"set\",\"--value\",\"db.internal\"]",
            },
            "+ az keyvault secret set --name db --value=[redacted]\nsecret settings: --value kept",
            "az keyvault secret set --value '[redacted]' failed: Forbidden");
    }

    [Fact]
    public void CreateAndWriteLine_LoginAfterGlobalOptionsOfTheContainerTools_IsMaskedInTheEntryAndTheLine()
    {
        using var docker = System.Text.Json.JsonDocument.Parse("[\"docker\", \"-H\", \"tcp://h:2376\", \"--tls\", \"login\", \"-u\", \"bob\", \"-p\", \"hunter2\"]");
        using var podman = System.Text.Json.JsonDocument.Parse("[\"podman\", \"--remote\", \"login\", \"-phunter2\", \"quay.io\"]");
        using var run = System.Text.Json.JsonDocument.Parse("[\"docker\", \"--debug\", \"run\", \"-p\", \"8080:80\", \"app\", \"login\", \"-p\", \"22\"]");
        var call = new ToolCall(
            "alice",
            "run",
            new Dictionary<string, object?>
            {
                ["command"] = "docker --config /tmp/cfg login -u bob -p hunter2 registry.io",
                ["docker"] = docker.RootElement.Clone(),
                ["podman"] = podman.RootElement.Clone(),
                ["run"] = run.RootElement.Clone(),
            },
            AuditStatus.Error,
            "+ nerdctl --namespace k8s.io login -u bob -p hunter2 r.io\nLogin Succeeded")
        {
            Error = "buildah --root /var/lib/b login -p hunter2 quay.io: unauthorized",
        };

        AssertEntryAndLine(
            call,
            new Dictionary<string, string>
            {
                ["command"] = "\"docker --config /tmp/cfg login -u bob -p [redacted] registry.io\"",
                ["docker"] = "[\"docker\",\"-H\",\"tcp://h:2376\",\"--tls\",\"login\",\"-u\",\"bob\",\"-p\",\"[redacted]\"]",
                ["podman"] = "[\"podman\",\"--remote\",\"login\",\"-p[redacted]\",\"quay.io\"]",
                ["run"] = "[\"docker\",\"--debug\",\"run\",\"-p\",\"8080:80\",\"app\",\"login\",\"-p\",\"22\"]",
            },
            "+ nerdctl --namespace k8s.io login -u bob -p [redacted] r.io\nLogin Succeeded",
            "buildah --root /var/lib/b login -p [redacted] quay.io: unauthorized");
    }

    /// <summary>
    /// Prepares <paramref name="call"/> both ways, as an entry (the in-memory store's) and as the line the file store
    /// writes on its own path, and checks that each stores the expected arguments, snippet and error, and that no
    /// <c>hunter2</c> is left in the line.
    /// </summary>
    private static void AssertEntryAndLine(ToolCall call, IReadOnlyDictionary<string, string> expectedArgs, string snippet, string error)
    {
        var entry = Prepared.Entry(call);
        var line = Prepared.Line(call);

        line.Should().NotContain("hunter2");
        using var written = System.Text.Json.JsonDocument.Parse(line);
        var args = written.RootElement.GetProperty("args");
        foreach (var (name, stored) in new[] { ("entry", entry.Args!.ToDictionary(a => a.Key, a => a.Value.GetRawText())), ("line", args.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText())) })
        {
            foreach (var (key, expected) in expectedArgs)
            {
                stored[key].Should().Be(expected, $"{name}: {key}");
            }
        }

        entry.ResultSnippet.Should().Be(snippet);
        written.RootElement.GetProperty("result_snippet").GetString().Should().Be(entry.ResultSnippet);
        entry.Error.Should().Be(error);
        written.RootElement.GetProperty("error").GetString().Should().Be(entry.Error);
    }

    [Fact]
    public async Task Record_SecretsOfTheClosedGaps_NeitherTheFilesNorTheMemoryStoreHoldThem()
    {
        // A file store alone takes the recorder's line path; the memory store takes entries.
        using var folder = new TempFolder();
        var jsonl = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var memory = new InMemoryAuditStore(10);
        var call = new ToolCall(
            "alice",
            "shell",
            new Dictionary<string, object?> { ["command"] = "redis-cli -p 6379 -a hunter2 ping", ["passphrase"] = "correct horse" },
            AuditStatus.Ok,
            "<form><input value=\"hunter2\" type=\"password\"></form>");
        await using (var toFiles = new AuditRecorder(jsonl))
        await using (var toMemory = new AuditRecorder(memory))
        {
            toFiles.Record(call);
            toMemory.Record(call);
        }

        var fileLine = AuditFiles.AllLines(folder.Path).Should().ContainSingle().Subject;
        fileLine.Should().NotContain("hunter2").And.NotContain("correct horse");
        var fromFile = (await jsonl.QueryAsync(new AuditQuery { User = "alice" }).ToListAsync()).Should().ContainSingle().Subject;
        var fromMemory = memory.Recent(10).Should().ContainSingle().Subject;
        foreach (var entry in new[] { fromFile, fromMemory })
        {
            entry.Args!["command"].GetString().Should().Be("redis-cli -p 6379 -a [redacted] ping");
            entry.Args["passphrase"].GetString().Should().Be("[redacted]");
            entry.ResultSnippet.Should().Be("<form><input value=\"[redacted]\" type=\"password\"></form>");
        }
    }

    [Fact]
    public void Create_LongArgumentWithASecretNamedValue_IsMaskedThenCutWithItsFullLength()
    {
        var options = new ToolAuditOptions { ArgMaxChars = 25 };
        var text = "--password=hunter2 " + new string('x', 100);
        var call = new ToolCall("alice", "run", new Dictionary<string, object?> { ["cmd"] = text }, AuditStatus.Ok);

        var entry = Prepared.Entry(call, options);

        entry.Args!["cmd"].GetString().Should().Be($"--password=[redacted] xxx …[{text.Length} chars total]");
    }

    [Fact]
    public async Task Record_SecretsNamedInText_NeitherTheFilesNorTheMemoryStoreHoldThem()
    {
        using var folder = new TempFolder();
        var jsonl = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var memory = new InMemoryAuditStore(10);
        await using (var recorder = new AuditRecorder(new CompositeAuditSink([jsonl, memory])))
        {
            recorder.Record(new ToolCall(
                "alice",
                "query_db",
                new Dictionary<string, object?> { ["dsn"] = "Server=db;User Id=app;Password=hunter2;" },
                AuditStatus.Error,
                "password: hunter2")
            {
                Error = "login failed for postgres://app:hunter2@db/prod",
            });
        }

        AuditFiles.AllLines(folder.Path).Should().ContainSingle().Which.Should().NotContain("hunter2").And.Contain("Password=[redacted];");
        var fromFile = (await jsonl.QueryAsync(new AuditQuery { User = "alice" }).ToListAsync()).Should().ContainSingle().Subject;
        var fromMemory = memory.Recent(10).Should().ContainSingle().Subject;
        fromMemory.Should().BeEquivalentTo(fromFile, o => o.ComparingByMembers<AuditEntry>().Excluding(e => e.Args));
        fromMemory.Args!["dsn"].GetString().Should().Be(fromFile.Args!["dsn"].GetString()).And.Be("Server=db;User Id=app;Password=[redacted];");
        fromFile.ResultSnippet.Should().Be("password: [redacted]");
        fromFile.Error.Should().Be("login failed for postgres://app:[redacted]@db/prod");
    }

    [Fact]
    public async Task Record_UriArguments_AreMaskedAndCutLikeTheirText()
    {
        // A Uri is kept by reference at the call (it is immutable) and written as its text: the text a string argument
        // would be, so it is masked and cut like one.
        using var folder = new TempFolder();
        var jsonl = new JsonlAuditStore(new JsonlAuditOptions { Root = folder.Path });
        var memory = new InMemoryAuditStore(10);
        var longUri = new Uri("https://example.com/" + new string('a', 600));
        await using (var recorder = new AuditRecorder(new CompositeAuditSink([jsonl, memory])))
        {
            recorder.Record(new ToolCall(
                "alice",
                "connect",
                new Dictionary<string, object?>
                {
                    ["dsn"] = new Uri("postgres://app:hunter2@db/prod"),
                    ["hook"] = new Uri("https://hooks.example.com/x?access_token=hunter2&x=1"),
                    ["page"] = longUri,
                },
                AuditStatus.Ok));
        }

        AuditFiles.AllLines(folder.Path).Should().ContainSingle().Which.Should().NotContain("hunter2");
        var fromFile = (await jsonl.QueryAsync(new AuditQuery { User = "alice" }).ToListAsync()).Should().ContainSingle().Subject;
        var fromMemory = memory.Recent(10).Should().ContainSingle().Subject;
        foreach (var entry in new[] { fromFile, fromMemory })
        {
            entry.Args!["dsn"].GetString().Should().Be("postgres://app:[redacted]@db/prod");
            entry.Args["hook"].GetString().Should().Be("https://hooks.example.com/x?access_token=[redacted]&x=1");
            entry.Args["page"].GetString().Should().Be(longUri.ToString()[..500] + $" …[{longUri.ToString().Length} chars total]");
        }
    }

    [Fact]
    public void Snippet_LongSecretMaskedBeforeTheCut_DoesNotBringAUrlPasswordTheWindowCutIntoTheSnippet()
    {
        var factory = new AuditEntryFactory(new ToolAuditOptions { SnippetMaxChars = 300 });

        var snippet = factory.Snippet(LongSecretThenUrlAtTheWindowsEnd(300));

        snippet.Should().StartWith("password=[redacted] ok").And.Contain("postgres://app:[redacted]").And.NotContain("hun");
    }

    [Fact]
    public void PrepareArgument_LongSecretMaskedBeforeTheCut_DoesNotBringAUrlPasswordTheWindowCutIntoTheKeptPart()
    {
        var factory = new AuditEntryFactory(new ToolAuditOptions { ArgMaxChars = 300 });

        var stored = (string)factory.PrepareArgument("command", LongSecretThenUrlAtTheWindowsEnd(300))!;

        stored.Should().Contain("postgres://app:[redacted]").And.NotContain("hun");
    }

    // A 500-char secret, then a URL whose password the secret window (the cut plus 256 chars) ends in.
    private static string LongSecretThenUrlAtTheWindowsEnd(int max)
    {
        var prefix = "password=" + new string('x', 500) + " ok ";
        var cutPassword = "postgres://app:hun";
        return prefix + new string(' ', max + 256 - prefix.Length - cutPassword.Length) + "postgres://app:hunter2@db/prod and more";
    }
}
