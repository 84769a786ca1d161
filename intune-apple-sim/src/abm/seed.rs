//! What a simulated Apple Business organisation holds when it starts.

use serde::{Deserialize, Serialize};

/// One MDM server ("device management service").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServerSeed {
    /// Apple's id (32 hex digits).
    pub id: String,
    /// `serverName`.
    pub name: String,
    /// `MDM`, `APPLE_CONFIGURATOR` or `APPLE_MDM`.
    pub server_type: String,
    /// `ACTIVE`, `INACTIVE` or `DELETED`.
    pub status: String,
    /// `defaultProductFamilies` (`IPHONE`, `IPAD`, `MAC`, `APPLE_TV`, `VISION`, `WATCH`, `IPOD`).
    pub default_product_families: Vec<String>,
    /// Hours before start of the server's last connection to Apple (`None`: never).
    pub last_connected_hours_ago: Option<f64>,
    /// `lastConnectedIp`.
    pub last_connected_ip: Option<String>,
    /// Days before start the server was created.
    pub created_days_ago: f64,
}

impl Default for ServerSeed {
    fn default() -> Self {
        Self {
            id: uuid::Uuid::new_v4().simple().to_string().to_uppercase(),
            name: "MDM".into(),
            server_type: "MDM".into(),
            status: "ACTIVE".into(),
            default_product_families: Vec::new(),
            last_connected_hours_ago: Some(6.0),
            last_connected_ip: Some("20.190.160.1".into()),
            created_days_ago: 400.0,
        }
    }
}

/// One device of the organisation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeviceSeed {
    /// Serial number (also the resource id).
    pub serial: String,
    /// `productFamily`: `iPhone`, `iPad`, `Mac`, `AppleTV`, `Vision`, `Watch`.
    pub product_family: String,
    /// `productType`, e.g. `iPhone15,2`.
    pub product_type: String,
    /// `deviceModel`.
    pub device_model: String,
    /// The id of the MDM server it is assigned to (`None`: unassigned).
    pub server: Option<String>,
    /// `mdmMigrationStatus` (`REQUESTED`, `STARTED`, `SUCCESS`, `FAILED`), if migrating.
    pub migration_status: Option<String>,
}

impl Default for DeviceSeed {
    fn default() -> Self {
        Self {
            serial: String::new(),
            product_family: "iPhone".into(),
            product_type: "iPhone15,2".into(),
            device_model: "iPhone 14 Pro".into(),
            server: None,
            migration_status: None,
        }
    }
}

/// A device activity that can be read back by id.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ActivitySeed {
    /// Id (a UUID).
    pub id: String,
    /// `status`.
    pub status: String,
    /// `subStatus`.
    pub sub_status: String,
    /// Hours before start it was created.
    pub created_hours_ago: f64,
}

impl Default for ActivitySeed {
    fn default() -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            status: "COMPLETED".into(),
            sub_status: "COMPLETED_WITH_SUCCESS".into(),
            created_hours_ago: 1.0,
        }
    }
}

/// Everything a simulated organisation starts with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrgSeed {
    /// The API account's client id (`BUSINESSAPI.…` or `SCHOOLAPI.…`).
    pub client_id: String,
    /// The API account's key id.
    pub key_id: String,
    /// MDM servers.
    pub servers: Vec<ServerSeed>,
    /// Devices, in the order the listing returns them.
    pub devices: Vec<DeviceSeed>,
    /// Device activities.
    pub activities: Vec<ActivitySeed>,
    /// Lifetime of issued access tokens in seconds (Apple: 3600).
    pub token_lifetime_secs: i64,
}

impl Default for OrgSeed {
    fn default() -> Self {
        Self::empty()
    }
}

/// Id of the demo MDM server behind the Intune demo tenant's "Contoso ABM" token.
pub const MAIN_SERVER_ID: &str = "1F97349736CF4614A94F624E705841AD";
/// Id of the demo MDM server behind "Contoso Retail ABM".
pub const RETAIL_SERVER_ID: &str = "2A87349736CF4614A94F624E705841BE";
/// Id of the demo Apple Configurator server.
pub const CONFIGURATOR_SERVER_ID: &str = "3B97349736CF4614A94F624E705841CF";
/// Id of the demo retired MDM server that Intune has no token for.
pub const RETIRED_SERVER_ID: &str = "4CA7349736CF4614A94F624E705841D0";
/// The demo API account's client id.
pub const DEMO_CLIENT_ID: &str = "BUSINESSAPI.9703f56c-10ce-4876-8f59-e78e5e23a152";
/// The demo API account's key id.
pub const DEMO_KEY_ID: &str = "d136aa66-0c3b-4bd4-9892-c20e8db024ab";

/// Serial `i` of the Intune demo tenant's token whose id starts with `prefix` (`D1`, `D2`):
/// the same formula as the simulated tenant's generated devices.
fn intune_serial(prefix: &str, i: usize) -> String {
    format!("{prefix}{i:010}")
}

impl OrgSeed {
    /// An organisation with no servers and no devices.
    #[must_use]
    pub fn empty() -> Self {
        Self {
            client_id: DEMO_CLIENT_ID.into(),
            key_id: DEMO_KEY_ID.into(),
            servers: Vec::new(),
            devices: Vec::new(),
            activities: Vec::new(),
            token_lifetime_secs: 3600,
        }
    }

    /// The demo organisation behind the Intune demo tenant ([`crate::Seed::demo`]); every case
    /// of the reconciliation is in it (see `docs/simulator.md`).
    #[must_use]
    pub fn demo() -> Self {
        let main = MAIN_SERVER_ID.to_owned();
        let retail = RETAIL_SERVER_ID.to_owned();
        let mut devices = Vec::new();
        // "Contoso ABM": Intune imported D10000000000..=249 (every fourth a Mac).
        for i in 0..250 {
            let mac = i % 4 == 3;
            let server = match i {
                0..=239 => Some(main.clone()),
                // moved to the retail server in Apple Business; Intune still has them here
                245..=249 => Some(retail.clone()),
                // 240, 241: unassigned in Apple Business; 242..=244: released (absent)
                _ => None,
            };
            if (242..=244).contains(&i) {
                continue;
            }
            let migration_status = match i {
                1 | 3 => Some("REQUESTED".to_owned()),
                7 => Some("STARTED".to_owned()),
                _ => None,
            };
            devices.push(DeviceSeed {
                serial: intune_serial("D1", i),
                product_family: if mac { "Mac" } else { "iPhone" }.into(),
                product_type: if mac { "Mac14,2" } else { "iPhone15,2" }.into(),
                device_model: if mac {
                    "MacBook Air (M2, 2022)"
                } else {
                    "iPhone 14 Pro"
                }
                .into(),
                server,
                migration_status,
            });
        }
        // assigned to "Contoso ABM" in Apple Business since the last sync: not in Intune yet
        for (serial, family) in [
            ("DMQX00000001", "iPhone"),
            ("DMQX00000002", "iPad"),
            ("C02Z00000003", "Mac"),
        ] {
            devices.push(DeviceSeed {
                serial: serial.into(),
                product_family: family.into(),
                server: Some(main.clone()),
                ..DeviceSeed::default()
            });
        }
        // "Contoso Retail ABM": Intune imported D20000000000..=011
        for i in 0..12 {
            devices.push(DeviceSeed {
                serial: intune_serial("D2", i),
                product_family: "iPad".into(),
                product_type: "iPad13,18".into(),
                device_model: "iPad (10th generation)".into(),
                server: Some(retail.clone()),
                ..DeviceSeed::default()
            });
        }
        for i in 1..=2 {
            devices.push(DeviceSeed {
                serial: format!("CFG00000000{i}"),
                product_family: "iPad".into(),
                server: Some(CONFIGURATOR_SERVER_ID.into()),
                ..DeviceSeed::default()
            });
        }
        for i in 1..=4 {
            devices.push(DeviceSeed {
                serial: format!("JMF00000000{i}"),
                product_family: "Mac".into(),
                server: Some(RETIRED_SERVER_ID.into()),
                ..DeviceSeed::default()
            });
        }
        Self {
            servers: vec![
                ServerSeed {
                    id: main,
                    name: "Contoso ABM".into(),
                    default_product_families: vec![
                        "IPHONE".into(),
                        "IPAD".into(),
                        "MAC".into(),
                        "APPLE_TV".into(),
                    ],
                    last_connected_hours_ago: Some(6.0),
                    ..ServerSeed::default()
                },
                ServerSeed {
                    id: retail,
                    name: "Contoso Retail ABM".into(),
                    default_product_families: vec!["IPAD".into()],
                    last_connected_hours_ago: Some(30.0),
                    ..ServerSeed::default()
                },
                ServerSeed {
                    id: CONFIGURATOR_SERVER_ID.into(),
                    name: "Devices Added by Apple Configurator 2".into(),
                    server_type: "APPLE_CONFIGURATOR".into(),
                    last_connected_hours_ago: None,
                    last_connected_ip: None,
                    ..ServerSeed::default()
                },
                ServerSeed {
                    id: RETIRED_SERVER_ID.into(),
                    name: "Contoso Jamf (retired)".into(),
                    status: "INACTIVE".into(),
                    default_product_families: Vec::new(),
                    last_connected_hours_ago: Some(200.0 * 24.0),
                    ..ServerSeed::default()
                },
            ],
            devices,
            activities: vec![ActivitySeed {
                id: "b1481656-b267-480d-b284-a809eed8b041".into(),
                created_hours_ago: 20.0,
                ..ActivitySeed::default()
            }],
            ..Self::empty()
        }
    }

    /// One MDM server named `server_name` with `n` devices whose serials are those of the
    /// simulated tenant's [`crate::Seed::with_devices`]`(0, n)` token ("ABM 0"): for measuring a
    /// reconciliation of `n` devices.
    #[must_use]
    pub fn with_devices(server_name: &str, n: usize) -> Self {
        let id = MAIN_SERVER_ID.to_owned();
        Self {
            servers: vec![ServerSeed {
                id: id.clone(),
                name: server_name.into(),
                default_product_families: vec!["IPHONE".into(), "IPAD".into(), "MAC".into()],
                ..ServerSeed::default()
            }],
            devices: (0..n)
                .map(|i| DeviceSeed {
                    serial: intune_serial("D0", i),
                    product_family: if i % 4 == 3 { "Mac" } else { "iPhone" }.into(),
                    server: Some(id.clone()),
                    ..DeviceSeed::default()
                })
                .collect(),
            ..Self::empty()
        }
    }

    /// Reads a seed from JSON (camelCase names; absent fields take their defaults).
    ///
    /// # Errors
    /// [`crate::SimError::Seed`] when the JSON does not describe an organisation.
    pub fn from_json(json: &str) -> Result<Self, crate::SimError> {
        serde_json::from_str(json).map_err(|e| crate::SimError::Seed(e.to_string()))
    }
}
