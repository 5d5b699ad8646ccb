/**
 * Every action opend serves, alphabetically. Routes, OpenAPI, help_show and
 * the GET/POST rule are derived from this list.
 */
import type { Action } from '../ckan/action.js'
import apiTokenCreate from './token/api-token-create.js'
import apiTokenList from './token/api-token-list.js'
import apiTokenRegister from './token/api-token-register.js'
import apiTokenRevoke from './token/api-token-revoke.js'
import apiTokenUpdate from './token/api-token-update.js'
import apiTokenUsage from './token/api-token-usage.js'
import currentPackageListWithResources from './package/current-package-list-with-resources.js'
import datasetPurge from './package/dataset-purge.js'
import datapusherStatus from './datastore/datapusher-status.js'
import datastoreCreate from './datastore/datastore-create.js'
import datastoreDelete from './datastore/datastore-delete.js'
import datastoreInfo from './datastore/datastore-info.js'
import datastoreSearch from './datastore/datastore-search.js'
import datastoreSearchSql from './datastore/datastore-search-sql.js'
import datastoreUpsert from './datastore/datastore-upsert.js'
import formatAutocomplete from './resource/format-autocomplete.js'
import groupAutocomplete from './group/group-autocomplete.js'
import groupCreate from './group/group-create.js'
import groupDelete from './group/group-delete.js'
import groupList from './group/group-list.js'
import groupPurge from './group/group-purge.js'
import groupShow from './group/group-show.js'
import groupUpdate from './group/group-update.js'
import licenseList from './license/license-list.js'
import memberCreate from './member/member-create.js'
import organizationAutocomplete from './organization/organization-autocomplete.js'
import organizationCreate from './organization/organization-create.js'
import organizationDelete from './organization/organization-delete.js'
import organizationListForUser from './organization/organization-list-for-user.js'
import organizationList from './organization/organization-list.js'
import organizationMemberCreate from './organization/organization-member-create.js'
import organizationPurge from './organization/organization-purge.js'
import organizationShow from './organization/organization-show.js'
import organizationUpdate from './organization/organization-update.js'
import packageAutocomplete from './package/package-autocomplete.js'
import packageCreate from './package/package-create.js'
import packageDelete from './package/package-delete.js'
import packageList from './package/package-list.js'
import packagePatch from './package/package-patch.js'
import packageSearch from './package/package-search.js'
import packageShow from './package/package-show.js'
import packageUpdate from './package/package-update.js'
import resourceCreate from './resource/resource-create.js'
import resourceDelete from './resource/resource-delete.js'
import resourcePatch from './resource/resource-patch.js'
import resourceSearch from './resource/resource-search.js'
import resourceShow from './resource/resource-show.js'
import resourceUpdate from './resource/resource-update.js'
import siteRead from './site/site-read.js'
import statusShow from './site/status-show.js'
import tagAutocomplete from './tag/tag-autocomplete.js'
import tagDelete from './tag/tag-delete.js'
import tagList from './tag/tag-list.js'
import tagSearch from './tag/tag-search.js'
import tagShow from './tag/tag-show.js'
import userCreate from './user/user-create.js'
import userShow from './user/user-show.js'
import xloaderStatus from './datastore/xloader-status.js'
import xloaderSubmit from './datastore/xloader-submit.js'
import { helpShow } from './site/help-show.js'

const list: Action<any>[] = [
  apiTokenCreate,
  apiTokenList,
  apiTokenRegister,
  apiTokenRevoke,
  apiTokenUpdate,
  apiTokenUsage,
  currentPackageListWithResources,
  datapusherStatus,
  datasetPurge,
  datastoreCreate,
  datastoreDelete,
  datastoreInfo,
  datastoreSearch,
  datastoreSearchSql,
  datastoreUpsert,
  formatAutocomplete,
  groupAutocomplete,
  groupCreate,
  groupDelete,
  groupList,
  groupPurge,
  groupShow,
  groupUpdate,
  licenseList,
  memberCreate,
  organizationAutocomplete,
  organizationCreate,
  organizationDelete,
  organizationListForUser,
  organizationList,
  organizationMemberCreate,
  organizationPurge,
  organizationShow,
  organizationUpdate,
  packageAutocomplete,
  packageCreate,
  packageDelete,
  packageList,
  packagePatch,
  packageSearch,
  packageShow,
  packageUpdate,
  resourceCreate,
  resourceDelete,
  resourcePatch,
  resourceSearch,
  resourceShow,
  resourceUpdate,
  siteRead,
  statusShow,
  tagAutocomplete,
  tagDelete,
  tagList,
  tagSearch,
  tagShow,
  userCreate,
  userShow,
  xloaderStatus,
  xloaderSubmit
]
list.push(helpShow(() => ACTIONS))
list.sort((a, b) => (a.name < b.name ? -1 : 1))

export const ACTIONS: readonly Action<any>[] = Object.freeze(list)
